//! The integration tests, one binary (as ripgrep's `tests/tests.rs`): one
//! module per area, the helpers they share in `support`.

mod support;

mod absorb_devset;
mod absorb_launch_e2e;
mod bad_input_table;
mod cli_bad_input;
mod cli_config_example;
mod cli_everyday;
mod cli_feed;
mod cli_lock;
mod cli_manners;
mod cli_reindex;
mod crash;
mod crawler_politeness;
mod demo;
mod faults;
mod feed_corpus;
mod hostile;
mod offline_fail_fast;
mod offline_replay;
mod rank_devset;
mod report_build;
mod report_deliver;
mod report_flags;
mod report_golden;
mod sources_e2e;
mod topic_devset;
