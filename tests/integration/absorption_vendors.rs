//! `[absorption] vendors`: only the listed vendors (default AWS, Azure and
//! Google Cloud) count for the absorption levels; the other clouds' offerings
//! and notes never raise a system's level (`horizon::absorb`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use crate::support::index_of as index;
use horizon::absorb::{compute_flags, Level};
use horizon::config::Config;
use horizon::model::{Item, Kind, Stage, Vendor};
use jiff::Timestamp;

const WINDOW: Duration = Duration::from_secs(90 * 86_400);

/// Two GA managed offerings of Zeppelin, from vendors outside the default
/// three, and a launch note of a third.
fn config(absorption: &str) -> Config {
    let text = format!(
        r#"{absorption}
[[topics]]
name = "notebooks"
keywords = ["notebook"]
systems = ["Zeppelin"]

[[offerings]]
system = "Zeppelin"
vendor = "cloudflare"
product = "Cloudflare Zeppelin"
relation = "managed"
stage = "ga"
ga = "2026-05-01"
url = "https://cloud.example/cf-zeppelin"

[[offerings]]
system = "Zeppelin"
vendor = "digitalocean"
product = "DigitalOcean Managed Zeppelin"
relation = "managed"
stage = "ga"
ga = "2026-05-01"
url = "https://cloud.example/do-zeppelin"
"#
    );
    Config::parse(Path::new("test.toml"), &text).unwrap()
}

fn launch(vendor: Vendor, title: &str, product: &str) -> Item {
    let mut i = Item::new(
        format!("{vendor}:1"),
        Kind::Cloud,
        vendor.as_str(),
        title,
        "https://cloud.example/note",
    );
    i.vendor = Some(vendor);
    i.stage = Some(Stage::Ga);
    i.published = Some("2026-09-20T00:00:00Z".parse().unwrap());
    i.summary = title.to_string();
    i.products = vec![product.to_string()];
    i
}

fn zeppelin_level(cfg: &Config, items: &[Item]) -> (Level, Vec<Vendor>) {
    let (_d, idx) = index(cfg, items);
    let as_of: Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
    let r = compute_flags(&idx, cfg, as_of, WINDOW).unwrap();
    let f = r
        .flags
        .iter()
        .find(|f| f.system.as_deref() == Some("Zeppelin"))
        .unwrap();
    (f.level, f.ga_vendors.clone())
}

#[test]
fn other_clouds_never_raise_a_level_by_default() {
    let cfg = config("");
    assert_eq!(
        cfg.absorption.vendors,
        [Vendor::Aws, Vendor::Azure, Vendor::Gcp]
    );
    let note = launch(
        Vendor::Github,
        "GitHub Zeppelin is now generally available",
        "GitHub Zeppelin",
    );
    let (level, ga) = zeppelin_level(&cfg, &[note]);
    assert_eq!(level, Level::None);
    assert!(ga.is_empty());
}

#[test]
fn listed_vendors_count() {
    let cfg = config("[absorption]\nvendors = [\"aws\", \"cloudflare\", \"digitalocean\"]\n");
    let (level, ga) = zeppelin_level(&cfg, &[]);
    assert_eq!(level, Level::Absorbed);
    assert_eq!(ga, [Vendor::Cloudflare, Vendor::DigitalOcean]);
    let cfg = config("[absorption]\nvendors = [\"cloudflare\"]\n");
    assert_eq!(zeppelin_level(&cfg, &[]).0, Level::Absorbing);
}

#[test]
fn an_empty_vendor_list_is_refused() {
    let err = Config::parse(
        Path::new("test.toml"),
        "[absorption]\nvendors = []\n[[topics]]\nname = \"t\"\nkeywords = [\"x\"]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("[absorption] vendors: must name at least one vendor"),
        "{err}"
    );
}
