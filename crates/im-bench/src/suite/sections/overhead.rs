//! Calls through the SDK over loopback HTTP, one account and 1000, against bare hyper POSTs
//! of the same requests (`bench-overhead`).

use crate::suite::contenders::{Contender, interleave};
use crate::suite::ctx::Ctx;
use crate::suite::process::Invocation;
use crate::suite::report::{Check, Section, Verdict};
use crate::suite::stats::grouped;

/// One-account call on loopback: SDK ÷ bare POST.
const ONE_ACCOUNT_TARGET: f64 = 1.10;
/// 1000-account call on loopback: SDK ÷ (bare POST + decoding the answer).
const THOUSAND_ACCOUNTS_TARGET: f64 = 1.25;

/// Calls through the SDK over loopback, one account and 1000, against bare hyper POSTs.
pub(crate) fn overhead(ctx: &mut Ctx) -> Section {
    println!("==> per-call overhead on loopback");
    let bin = ctx.bin("bench-overhead");
    let one = |mode: &str| Invocation::new(&bin).arg(mode).arg("--accounts").arg("1");
    let mut contenders = vec![
        Contender::new(
            "SDK: `client.blocklist().add(from, 1000 accounts)`",
            Invocation::new(&bin).arg("sdk"),
            "median_us",
        ),
        Contender::new(
            "bare hyper-util POST of the same request",
            Invocation::new(&bin).arg("bare"),
            "median_us",
        ),
        Contender::new(
            "bare POST, then decode the answer into typed structs",
            Invocation::new(&bin).arg("bare-decode"),
            "median_us",
        ),
        Contender::new(
            "SDK: `client.blocklist().add(from, [one account])`",
            one("sdk"),
            "median_us",
        ),
        Contender::new(
            "bare POST of the same one-account request",
            one("bare"),
            "median_us",
        ),
    ];
    let extra = ["mean_us", "p90_us", "client_cpu_us_per_call", "calls"];
    interleave(ctx, "overhead", &mut contenders, &extra);
    let mut section = Section::new(
        "Per-call overhead on loopback",
        "Sequential calls over one kept-alive HTTP/1.1 connection to a minimal hyper server on \
         127.0.0.1 (its own thread) that reads the request and answers at once with a canned \
         `black_list_add` response (1000 items, or one). The SDK call goes through the \
         `tencent-im` facade with its default transport and the `Unlimited` rate limiter; the \
         bare call POSTs the same URL shape and JSON body with hyper-util's client and reads \
         the whole answer; the bare-decode call also decodes it into the typed response, the \
         least a hand-written client does with it. The one-account call is compared with the \
         bare POST; the 1000-account call with the bare POST plus decoding.",
    );
    section.header(&[
        "client",
        "median time/call",
        "mean",
        "90th percentile",
        "client CPU/call",
        "calls per round",
        "spread",
        "median µs per round",
    ]);
    for contender in &contenders {
        if let Some(error) = &contender.error {
            section
                .notes
                .push(format!("{} failed: {error}.", contender.label));
            continue;
        }
        let [mean, p90, cpu, calls] = [0, 1, 2, 3].map(|i| contender.extra[i].median());
        section.row(vec![
            contender.label.clone(),
            format!("{:.1} µs", contender.values.median()),
            format!("{mean:.1} µs"),
            format!("{p90:.1} µs"),
            format!("{cpu:.1} µs"),
            grouped(calls),
            contender.values.spread(),
            contender.values.list(|value| format!("{value:.1}")),
        ]);
    }
    let ratios = [
        (
            "One-account call on loopback: SDK ÷ bare hyper POST",
            3,
            4,
            ONE_ACCOUNT_TARGET,
        ),
        (
            "1000-account call on loopback: SDK ÷ (bare POST + decode)",
            0,
            2,
            THOUSAND_ACCOUNTS_TARGET,
        ),
    ];
    for (figure, sdk, baseline, target) in ratios {
        let target_text = format!("≤ {target:.2}×");
        let (sdk, baseline) = (&contenders[sdk].values, &contenders[baseline].values);
        if sdk.is_empty() || baseline.is_empty() {
            section
                .checks
                .push(Check::new(figure, "-", target_text, Verdict::NotMeasured));
            continue;
        }
        let (sdk_median, base_median) = (sdk.median(), baseline.median());
        let ratio = sdk_median / base_median;
        let per_round: Vec<String> = sdk
            .0
            .iter()
            .zip(&baseline.0)
            .map(|(s, b)| format!("{:.2}×", s / b))
            .collect();
        section.notes.push(format!(
            "{figure}, round by round: {}.",
            per_round.join(", ")
        ));
        section.checks.push(Check::new(
            figure,
            format!("{ratio:.2}× ({sdk_median:.1} µs vs {base_median:.1} µs)"),
            target_text,
            Verdict::of(ratio <= target),
        ));
    }
    if !contenders[0].values.is_empty() && !contenders[1].values.is_empty() {
        let (sdk, bare) = (contenders[0].values.median(), contenders[1].values.median());
        section.notes.push(format!(
            "For reference, 1000 accounts, SDK ÷ bare POST without decoding: {:.2}× \
             ({sdk:.1} µs vs {bare:.1} µs): the SDK decodes the ~60 KB answer, the bare POST \
             does not.",
            sdk / bare
        ));
    }
    let timing = ctx.settings.timing();
    section.commands = vec![
        format!("{} sdk {timing}", ctx.show(&bin)),
        format!("{} bare {timing}", ctx.show(&bin)),
        format!("{} bare-decode {timing}", ctx.show(&bin)),
        format!("{} sdk --accounts 1 {timing}", ctx.show(&bin)),
        format!("{} bare --accounts 1 {timing}", ctx.show(&bin)),
    ];
    section
}
