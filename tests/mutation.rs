//! A sample of the mutation campaign (issue 7; the full one is `campaigns/mutation.sh`):
//! over the demo case and its bundle, every k-th byte of the ledger and of some checkpoints
//! changed in three ways, every entry deleted, swapped with the next and duplicated, every
//! k-th truncation, bundle payload and tag bytes, every tar member deleted; all must be
//! detected, and the untouched case and bundle must verify every time.

#[path = "common/mutate.rs"]
mod mutate;

#[test]
fn sampled_mutations_are_all_detected_and_untouched_files_never_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let (case, bundle) = mutate::demo_case(tmp.path());
    // Strides prime to the line lengths, so the sample falls in every part of the lines.
    let plan = mutate::Plan {
        ledger_byte_stride: 307,
        truncation_stride: 263,
        checkpoint_byte_stride: 23,
        checkpoint_file_stride: 6,
        payload_full_up_to: 0,
        payload_stride: 1,
        payload_samples_per_large_file: 2,
        tag_byte_stride: 211,
        member_stride: 4,
        clean_runs: 5,
    };
    let results = mutate::campaign(
        &case,
        Some(&bundle),
        &tmp.path().join("work"),
        &plan,
        &mut |_| {},
    );
    let table = mutate::table(&results);
    eprintln!("{table}");
    for r in &results {
        assert!(r.mutations > 0, "{}: nothing was tried\n{table}", r.class);
        assert_eq!(
            r.undetected,
            0,
            "{}: undetected mutations:\n{}\n{table}",
            r.class,
            r.examples.join("\n")
        );
        assert_eq!(
            r.false_alarms.unwrap_or(0),
            0,
            "{}: false alarms:\n{}\n{table}",
            r.class,
            r.examples.join("\n")
        );
    }
    // Every line-level mutation was tried in full.
    let tried = |class: &str| {
        results
            .iter()
            .find(|r| r.class == class)
            .map(|r| r.mutations)
            .unwrap()
    };
    // The demo case's 17 entries (the last its local TSA's tsa.add).
    assert_eq!(tried("ledger: entry deleted"), 17);
    assert_eq!(tried("ledger: adjacent entries swapped"), 16);
    assert_eq!(tried("ledger: entry duplicated"), 17);
}
