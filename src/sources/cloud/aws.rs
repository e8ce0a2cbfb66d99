//! AWS "What's New" (RSS 2.0): one item per entry.
//!
//! The feed's `<category>` holds comma-separated tags such as
//! `general:products/amazon-ec2,marketing:marchitecture/compute`. Products are
//! the `general:products/<slug>` tags turned into names ("Amazon EC2"); when an
//! entry has none, product names are read from the title ("AWS Training …"),
//! then from the other tags, and "AWS" is the last resort. The stage comes from
//! the title's wording ([`super::stage_from_wording`]). Ids hash the entry's
//! canonical link (the guid is a bare hex digest), so they do not depend on
//! the URL the feed was fetched from.

use super::{canonical_link, keep_note, products_in_title, push_unique, stage_from_wording};
use crate::model::{Item, Kind, Vendor};
use crate::sources::feed::{entry_link, entry_to_item, parse_feed};
use crate::sources::{ParseContext, ParseError};
use crate::text::{clean_line, stable_hash};

/// Words whose spelling is not simply capitalised.
const SPELLINGS: &[(&str, &str)] = &[
    ("aws", "AWS"),
    ("ec2", "EC2"),
    ("ecs", "ECS"),
    ("eks", "EKS"),
    ("ecr", "ECR"),
    ("emr", "EMR"),
    ("efs", "EFS"),
    ("ebs", "EBS"),
    ("rds", "RDS"),
    ("s3", "S3"),
    ("sns", "SNS"),
    ("sqs", "SQS"),
    ("ses", "SES"),
    ("msk", "MSK"),
    ("mq", "MQ"),
    ("iam", "IAM"),
    ("kms", "KMS"),
    ("acm", "ACM"),
    ("vpc", "VPC"),
    ("vpn", "VPN"),
    ("api", "API"),
    ("ml", "ML"),
    ("ai", "AI"),
    ("iot", "IoT"),
    ("sdk", "SDK"),
    ("cli", "CLI"),
    ("waf", "WAF"),
    ("dns", "DNS"),
    ("hpc", "HPC"),
    ("sap", "SAP"),
    ("sql", "SQL"),
    ("cloudformation", "CloudFormation"),
    ("cloudwatch", "CloudWatch"),
    ("cloudtrail", "CloudTrail"),
    ("cloudfront", "CloudFront"),
    ("cloudsearch", "CloudSearch"),
    ("cloudhsm", "CloudHSM"),
    ("codebuild", "CodeBuild"),
    ("codecommit", "CodeCommit"),
    ("codedeploy", "CodeDeploy"),
    ("codepipeline", "CodePipeline"),
    ("dynamodb", "DynamoDB"),
    ("documentdb", "DocumentDB"),
    ("elasticache", "ElastiCache"),
    ("opensearch", "OpenSearch"),
    ("sagemaker", "SageMaker"),
    ("workspaces", "WorkSpaces"),
    ("workdocs", "WorkDocs"),
    ("workmail", "WorkMail"),
    ("appsync", "AppSync"),
    ("quicksight", "QuickSight"),
    ("devops", "DevOps"),
    ("guardduty", "GuardDuty"),
    ("elasticsearch", "Elasticsearch"),
    ("and", "and"),
    ("for", "for"),
    ("of", "of"),
    ("on", "on"),
];

/// `amazon-ec2` → "Amazon EC2", `aws-iot` → "AWS IoT",
/// `training-and-certification` → "Training and Certification".
pub fn slug_to_name(slug: &str) -> String {
    let words: Vec<String> = slug
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_ascii_lowercase();
            match SPELLINGS.iter().find(|(k, _)| *k == lower) {
                Some((_, v)) if i > 0 || v.chars().next().is_some_and(char::is_uppercase) => {
                    v.to_string()
                }
                _ => {
                    let mut c = lower.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                }
            }
        })
        .collect();
    clean_line(&words.join(" "))
}

/// Parse the What's New feed.
pub fn parse(bytes: &[u8], ctx: &ParseContext<'_>) -> Result<Vec<Item>, ParseError> {
    let feed = parse_feed(bytes, ctx)?;
    let mut items: Vec<Item> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in &feed.entries {
        let Some(mut item) = entry_to_item(entry, ctx, Kind::Cloud, "aws") else {
            continue;
        };
        if let Some(link) = entry_link(entry) {
            item.id = format!("aws:{}", stable_hash(&[&canonical_link(&link)]));
        }
        let tags: Vec<String> = entry
            .categories
            .iter()
            .flat_map(|c| {
                c.term
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|t| !t.is_empty())
            .collect();
        let mut products = Vec::new();
        let mut others = Vec::new();
        for tag in &tags {
            let slug = tag.rsplit('/').next().unwrap_or(tag);
            let name = slug_to_name(slug);
            if tag.starts_with("general:products/") {
                push_unique(&mut products, &name);
            } else {
                push_unique(&mut others, &name);
            }
        }
        let mut categories = products.clone();
        for o in &others {
            push_unique(&mut categories, o);
        }
        if products.is_empty() {
            products = products_in_title(&item.title, &["Amazon", "AWS"]);
        }
        if products.is_empty() {
            products = others;
        }
        if products.is_empty() {
            products.push("AWS".to_string());
        }
        item.categories = categories;
        item.products = products;
        item.vendor = Some(Vendor::Aws);
        item.stage = Some(stage_from_wording(&item.title));
        keep_note(&mut items, &mut seen, item);
    }
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::test_util::{check_items, ctx};
    use super::*;
    use crate::model::Stage;
    use crate::sources::test_support::fixture;

    const FIXTURE: &str = "cloud-aws/aws-whats-new_rss2_2016-07-21.xml";

    fn stage_of<'a>(items: &'a [Item], title_start: &str) -> (&'a Item, Stage) {
        let it = items
            .iter()
            .find(|i| i.title.starts_with(title_start))
            .unwrap_or_else(|| panic!("no item {title_start:?}"));
        (it, it.stage.unwrap())
    }

    #[test]
    fn slugs_become_names() {
        assert_eq!(slug_to_name("amazon-ec2"), "Amazon EC2");
        assert_eq!(slug_to_name("aws-iot"), "AWS IoT");
        assert_eq!(slug_to_name("amazon-workspaces"), "Amazon WorkSpaces");
        assert_eq!(
            slug_to_name("aws-database-migration-service"),
            "AWS Database Migration Service"
        );
        assert_eq!(
            slug_to_name("training-and-certification"),
            "Training and Certification"
        );
        assert_eq!(slug_to_name(""), "");
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn whats_new_2016() {
        let Some(bytes) = fixture(FIXTURE) else {
            return;
        };
        let items = parse(&bytes, &ctx()).unwrap();
        assert_eq!(items.len(), 25);
        check_items(Vendor::Aws, &items);
        let (it, stage) = stage_of(&items, "AWS Device Farm Remote Access");
        assert_eq!(stage, Stage::Ga);
        assert_eq!(it.products, ["AWS Device Farm"]);
        let (it, stage) = stage_of(
            &items,
            "Python Serverless Microframework for AWS - Developer Preview",
        );
        assert_eq!(stage, Stage::Preview);
        assert_eq!(it.products, ["AWS Lambda", "Amazon API Gateway"]);
        assert_eq!(
            stage_of(&items, "Amazon EC2 Run Command is now available in China").1,
            Stage::Region
        );
        assert_eq!(
            stage_of(
                &items,
                "Amazon EC2 Container Service Automatic Service Scaling Region Expansion"
            )
            .1,
            Stage::Region
        );
        assert_eq!(
            stage_of(
                &items,
                "Amazon CloudWatch Events Available in the Asia Pacific (Mumbai) Region"
            )
            .1,
            Stage::Region
        );
        assert_eq!(
            stage_of(
                &items,
                "AWS IoT Available in the Asia Pacific (Sydney) Region"
            )
            .1,
            Stage::Region
        );
        assert_eq!(
            stage_of(&items, "Amazon Elastic Transcoder Adds Support For WAV").1,
            Stage::Update
        );
        // A feature announcement, not a new service.
        assert_eq!(
            stage_of(
                &items,
                "Announcing Cost Allocation Tagging for AWS Directory Service"
            )
            .1,
            Stage::Update
        );
        assert_eq!(
            stage_of(&items, "AWS IoT Announces Java and Python Device SDKs").1,
            Stage::Update
        );
        let (it, _) = stage_of(
            &items,
            "Amazon EC2 Run Command now supports event driven notifications",
        );
        assert_eq!(it.products, ["Amazon EC2", "Amazon CloudWatch"]);
        // No product tag: the title names it.
        let (it, _) = stage_of(&items, "Four New AWS Training Bootcamps");
        assert_eq!(it.products, ["AWS Training Bootcamps"]);
        assert!(it
            .categories
            .contains(&"Training and Certification".to_string()));
        for i in &items {
            assert!(
                !i.summary.contains("&lt;") && !i.summary.contains("<p>"),
                "{}: {}",
                i.title,
                i.summary
            );
        }
        assert!(
            items.iter().filter(|i| i.summary.is_empty()).count() <= 1,
            "{:?}",
            items
                .iter()
                .filter(|i| i.summary.is_empty())
                .map(|i| &i.title)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    #[ignore = "needs ../shared/fixtures (set HORIZON_FIXTURES)"]
    fn ids_are_stable_and_independent_of_the_fetch_url() {
        let Some(bytes) = fixture(FIXTURE) else {
            return;
        };
        let a = parse(&bytes, &ctx()).unwrap();
        let other = ParseContext {
            url: "http://127.0.0.1:8080/new.rss",
            ..ctx()
        };
        let b = parse(&bytes, &other).unwrap();
        let ia: Vec<_> = a.iter().map(|i| &i.id).collect();
        let ib: Vec<_> = b.iter().map(|i| &i.id).collect();
        assert_eq!(ia, ib);
    }
}
