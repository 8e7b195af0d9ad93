//! Measuring a piece of work: CPU time and peak resident memory (Linux
//! `/proc/self`), in this process or in a child process of the test binary
//! so that the peak belongs to that work alone and a crash cannot take the
//! test runner down.

/// Peak resident memory of this process so far (`VmHWM`), in bytes.
pub(crate) fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/self/status");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("VmHWM in kB") * 1024
}

/// Reset the peak that [`peak_rss_bytes`] reports to the current resident
/// size; `false` when the kernel does not allow it (the peak then counts
/// from the process start).
pub(crate) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU seconds (user + system) of this process so far.
pub(crate) fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm in stat") + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of stat (utime, stime), in clock ticks (100 per second).
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

/// What a measured run reported.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    /// The work's own outcome (e.g. an error code, or `ok`).
    pub(crate) outcome: String,
    /// CPU seconds the work took.
    pub(crate) cpu_s: f64,
    /// Peak resident memory of the child process, in MiB.
    pub(crate) peak_rss_mib: f64,
}

/// In the child: do `work` and print its outcome, its CPU seconds and the
/// process's peak memory on one line for [`in_child`] to read.
pub(crate) fn report_to_parent(work: impl FnOnce() -> String) {
    let before = cpu_seconds();
    let outcome = work();
    let cpu = cpu_seconds() - before;
    println!("MEASURED outcome={outcome} cpu_s={cpu:.3} hwm_kib={}", peak_rss_bytes() / 1024);
}

/// Run the ignored test `child_test` of this test binary alone in a child
/// process with the environment variable `env.0` set to `env.1`; the test
/// calls [`report_to_parent`]. Panics when the child fails (a signal, a
/// panic) or reports nothing.
pub(crate) fn in_child(child_test: &str, env: (&str, &str)) -> Measured {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([child_test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let what = format!("{child_test} with {}={}", env.0, env.1);
    assert!(
        out.status.success(),
        "{what}: child failed ({:?}): {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.find("MEASURED ").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("{what}: no report in {stdout}"));
    let field = |k: &str| line.split(' ').find_map(|kv| kv.strip_prefix(k)).unwrap().to_owned();
    Measured {
        outcome: field("outcome="),
        cpu_s: field("cpu_s=").parse().unwrap(),
        peak_rss_mib: field("hwm_kib=").parse::<f64>().unwrap() / 1024.0,
    }
}
