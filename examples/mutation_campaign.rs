//! The mutation campaign of issue 7: over the real case and bundle `scelle demo` builds, every
//! single-byte change of the ledger and of each checkpoint (three variants per byte), every
//! entry deletion, adjacent swap and duplication, every truncation point, the bundle's payload
//! and tag file bytes and every tar member deleted; then the untouched files, many times.
//! Prints, per class, how many mutations were detected and how many untouched runs failed.
//!
//! Run it with `campaigns/mutation.sh` (release mode). Options:
//! `--clean-runs N` (default 100), `--payload-samples N` (positions per large payload file,
//! default 1024), `--keep DIR` (build in DIR and keep it).
//! Exit status 0 when every mutation that can be detected was, and no untouched run failed.

#[path = "../tests/common/mutate.rs"]
mod mutate;

use std::time::Instant;

fn main() {
    let mut plan = mutate::Plan::FULL;
    let mut keep: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{what} needs a number"))
        };
        match a.as_str() {
            "--clean-runs" => plan.clean_runs = num("--clean-runs"),
            "--payload-samples" => {
                plan.payload_samples_per_large_file = num("--payload-samples") as u64
            }
            "--stride" => {
                let k = num("--stride");
                plan.ledger_byte_stride = k;
                plan.truncation_stride = k;
                plan.checkpoint_byte_stride = k;
                plan.tag_byte_stride = k;
                plan.payload_stride = k;
            }
            "--keep" => keep = Some(args.next().expect("--keep DIR").into()),
            other => {
                eprintln!("unknown argument {other}; see examples/mutation_campaign.rs");
                std::process::exit(2);
            }
        }
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let (case, bundle) = mutate::demo_case(&dir);
    let ledger = std::fs::metadata(case.join("ledger.jsonl")).unwrap().len();
    let entries = std::fs::read(case.join("ledger.jsonl"))
        .unwrap()
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    let checkpoints = std::fs::read_dir(case.join("checkpoints")).unwrap().count();
    println!(
        "scelle {} mutation campaign: the demo case ({entries} entries, {ledger} bytes of ledger, \
         {checkpoints} checkpoints) and its bundle ({} bytes); plan {plan:?}",
        scelle::VERSION,
        std::fs::metadata(&bundle).unwrap().len()
    );
    let results = mutate::campaign(&case, Some(&bundle), &dir.join("work"), &plan, &mut |r| {
        eprintln!(
            "  {}: {} mutations, {} detected, {} by design, {} undetected, {:.1} s",
            r.class, r.mutations, r.detected, r.by_design, r.undetected, r.seconds
        );
    });
    println!();
    print!("{}", mutate::table(&results));
    let mut failed = false;
    for r in &results {
        if r.undetected > 0 || r.false_alarms.unwrap_or(0) > 0 {
            failed = true;
            println!(
                "\n{}: {} undetected or false alarms; the first:",
                r.class,
                r.undetected + r.false_alarms.unwrap_or(0)
            );
            for e in &r.examples {
                println!("  {e}");
            }
        }
    }
    let total: u64 = results
        .iter()
        .filter(|r| r.false_alarms.is_none())
        .map(|r| r.mutations)
        .sum();
    let detected: u64 = results
        .iter()
        .filter(|r| r.false_alarms.is_none())
        .map(|r| r.detected)
        .sum();
    let by_design: u64 = results.iter().map(|r| r.by_design).sum();
    let clean: u64 = results
        .iter()
        .filter(|r| r.false_alarms.is_some())
        .map(|r| r.mutations)
        .sum();
    let alarms: u64 = results.iter().filter_map(|r| r.false_alarms).sum();
    println!(
        "\ntotal: {total} mutations, {detected} detected, {by_design} undetectable by design, {} undetected; \
         {clean} untouched runs, {alarms} false alarms; {:.0} s",
        total - detected - by_design,
        started.elapsed().as_secs_f64()
    );
    if failed {
        std::process::exit(1);
    }
}
