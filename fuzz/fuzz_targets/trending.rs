//! Fuzz the GitHub trending HTML adapter: any bytes must give items or a
//! `ParseError`, never a panic.
#![no_main]

use horizon::config::TrendingPeriod;
use horizon::sources::{trending, ParseContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = ParseContext {
        source: "fuzz",
        url: "https://github.com/trending?since=daily",
        now: jiff::Timestamp::from_second(1_780_000_000).expect("constant time"),
    };
    let period = match data.len() % 3 {
        0 => TrendingPeriod::Daily,
        1 => TrendingPeriod::Weekly,
        _ => TrendingPeriod::Monthly,
    };
    let _ = trending::parse(data, &ctx, period);
});
