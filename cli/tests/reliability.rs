//! CLI input bounds and atomic output (issue 14, items 8 and 12).

use std::io::Write;
use std::process::{Command, Stdio};

/// A fresh temporary directory, removed when the returned guard drops.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("flamekit-cli-reliability-{name}-")).tempdir().unwrap()
}

/// Offer 512 MiB to `w` on a thread, 1 MiB at a time, until a write fails
/// (the reader went away): how many bytes were taken.
fn offer_512_mib(mut w: impl Write + Send + 'static) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 20];
        let mut written: u64 = 0;
        for _ in 0..512 {
            if w.write_all(&chunk).is_err() {
                break;
            }
            written += chunk.len() as u64;
        }
        written
    })
}

/// Make a FIFO at `path`.
#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A file larger than `max_input_bytes` (256 MiB by default) is refused from
/// its metadata, before a byte is read: a sparse 1 GiB file costs nothing.
/// The error names the file's whole length; a bounded read would have
/// stopped at the limit + 1 byte and named that instead.
#[test]
fn oversized_file_is_refused_before_reading() {
    let d = dir("big");
    let path = d.path().join("big.txt");
    std::fs::File::create(&path).unwrap().set_len(1 << 30).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit")).args(["dump", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[limit_exceeded]") && stderr.contains("max_input_bytes"), "{stderr}");
    assert!(stderr.contains(&(1u64 << 30).to_string()), "the length comes from the metadata: {stderr}");
}

/// stdin is read through a bounded reader: past the limit the command stops
/// with `limit_exceeded` instead of buffering everything (it reads at most
/// limit + 1 bytes, so the writer sees the pipe closed).
#[test]
fn stdin_is_bounded() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(["detect", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // 512 MiB offered; the reader stops after 256 MiB + 1 byte.
    let writer = offer_512_mib(child.stdin.take().unwrap());
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[limit_exceeded]"), "{stderr}");
    assert!(written < 512 << 20, "the CLI stopped reading: {written} bytes written");
}

/// An output write that fails part-way (here: a file-size limit of 1 KiB,
/// standing in for a full disk) leaves the previous output intact and no
/// temporary file behind.
#[test]
fn failed_output_write_keeps_the_previous_file() {
    let d = dir("atomic");
    let input = d.path().join("in.txt");
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("main;f{i} {}\n", i + 1));
    }
    std::fs::write(&input, text).unwrap();
    let output = d.path().join("out.json");
    std::fs::write(&output, "previous").unwrap();
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{}' convert -q '{}' -o '{}'",
        env!("CARGO_BIN_EXE_flamekit"),
        input.display(),
        output.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous");
    let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    // Without the limit the same command replaces the file.
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(["convert", "-q", input.to_str().unwrap(), "-o", output.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&output).unwrap().starts_with('{'));
}

/// Outputs get the permissions a plain create gives (umask applied), not the
/// temporary file's 0o600; a replaced file keeps its own.
#[cfg(unix)]
#[test]
fn output_permissions_are_those_of_a_plain_create() {
    use std::os::unix::fs::PermissionsExt as _;
    let d = dir("perms");
    let input = d.path().join("in.txt");
    std::fs::write(&input, "main;f 1\n").unwrap();
    let plain = d.path().join("plain");
    std::fs::write(&plain, "x").unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let run = |out: &std::path::Path| {
        let status = Command::new(env!("CARGO_BIN_EXE_flamekit"))
            .args(["convert", "-q", input.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    let fresh = d.path().join("fresh.json");
    run(&fresh);
    assert_eq!(mode(&fresh), mode(&plain));
    let kept = d.path().join("kept.json");
    std::fs::write(&kept, "old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    run(&kept);
    assert_eq!(mode(&kept), 0o640);
}

/// `dump` and `convert` write to stdout as they make their output; a reader
/// that goes away after the first bytes (`flamekit dump big | head`) ends
/// it without an error, as for the commands that print a whole output.
#[test]
fn streamed_output_to_a_reader_that_goes_away_is_not_an_error() {
    use std::io::Read as _;
    let d = dir("closed-pipe");
    let input = d.path().join("in.txt");
    // Long names: most of the output is strings, which go through
    // serde_json, so the write that meets the closed pipe is one of theirs.
    let long = "x".repeat(300);
    let mut text = String::new();
    for i in 0..4_000 {
        text.push_str(&format!("main;{long}{};{long}{i} {}\n", i % 97, i + 1));
    }
    std::fs::write(&input, text).unwrap();
    for cmd in ["dump", "convert"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flamekit"))
            .args([cmd, "-q", input.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        assert_eq!(first[0], b'{', "{cmd}");
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Output to a file that is not a regular file (a FIFO here; `-o
/// /dev/null` likewise) is written in place: a temporary file renamed over
/// it would replace the FIFO or the device itself (as root, `/dev/null`).
#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_in_place() {
    use std::io::Read as _;
    use std::os::unix::fs::FileTypeExt as _;
    let d = dir("fifo");
    let input = d.path().join("in.txt");
    std::fs::write(&input, "main;f 1\n").unwrap();
    let fifo = d.path().join("out.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo).unwrap().read_to_string(&mut text).unwrap();
            text
        })
    };
    let status = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(["convert", "-q", input.to_str().unwrap(), "-o", fifo.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    // Checked first: were it replaced, the reader would wait forever.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO is still one");
    let text = reader.join().unwrap();
    assert!(text.starts_with("{\"$schema\"") && text.contains("\"main\""), "{text}");
    let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}

/// `dump` is bounded as the library's in-memory dump is: a 100 KB
/// speedscope file whose dump would spell a 60 KB name 20,000 times
/// (1.2 GB) is refused with `limit_exceeded` before anything is written.
#[test]
fn dump_is_bounded_before_it_writes() {
    let d = dir("dump");
    let path = d.path().join("long.speedscope.json");
    let deep = vec!["0"; 200].join(",");
    let samples = vec![format!("[{deep}],[1]"); 100].join(",");
    let json = format!(
        r#"{{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{{"frames":[{{"name":"{}"}},{{"name":"s"}}]}},"profiles":[{{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":200,"samples":[{samples}],"weights":[{}]}}]}}"#,
        "x".repeat(60_000),
        vec!["1"; 200].join(","),
    );
    std::fs::write(&path, json).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit")).args(["dump", path.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("[limit_exceeded]") && stderr.contains("max_export_bytes"), "{stderr}");
    assert!(out.stdout.is_empty(), "{} bytes written", out.stdout.len());
}

/// A `convert` stopped by SIGINT or SIGTERM while it writes removes its
/// temporary output file, leaves the target as it was (here: absent), and
/// still ends by that signal. The input is a 340 KB `.cpuprofile` of 40,000
/// samples, every other one at the end of a 1,000-deep chain, whose export
/// spells 20 million frame indices (78 MB): the signal is sent once the
/// temporary file has appeared.
#[cfg(unix)]
#[test]
fn a_stopped_convert_removes_its_temporary_file() {
    use std::os::unix::process::ExitStatusExt as _;
    let d = dir("signal");
    let input = d.path().join("deep.cpuprofile");
    let nodes: Vec<String> = (1..=1001)
        .map(|id| {
            let name = if id == 1 { "(root)".to_string() } else { format!("f{id}") };
            let children = if id < 1001 { format!("[{}]", id + 1) } else { "[]".into() };
            format!(
                r#"{{"id":{id},"callFrame":{{"functionName":"{name}","scriptId":"1","url":"a.js","lineNumber":{id},"columnNumber":0}},"hitCount":0,"children":{children}}}"#
            )
        })
        .collect();
    let json = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":40000,"samples":[{}],"timeDeltas":[{}]}}"#,
        nodes.join(","),
        vec!["1001,2"; 20_000].join(","),
        vec!["1"; 40_000].join(","),
    );
    std::fs::write(&input, json).unwrap();
    let out = d.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("deep.speedscope.json");
    for (signal, name) in [(2, "INT"), (15, "TERM")] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flamekit"))
            .args(["convert", "-q", input.to_str().unwrap(), "-o", target.to_str().unwrap()])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let listed = || -> Vec<String> {
            std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
        };
        let start = std::time::Instant::now();
        while listed().is_empty() && start.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let seen = listed();
        assert!(seen.len() == 1 && seen[0].starts_with(".flamekit-"), "{seen:?}");
        let kill = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(signal), "{status:?}: the signal came after the output was written");
        assert_eq!(listed(), Vec::<String>::new(), "SIG{name}");
    }
}

/// A `--source-map` is read as an input is: a FIFO that never ends (as
/// `/dev/zero` would) is refused with `limit_exceeded` after
/// `max_input_bytes` + 1 bytes; it was read whole.
#[cfg(unix)]
#[test]
fn a_source_map_is_read_within_the_input_limit() {
    let d = dir("map-fifo");
    let profile = d.path().join("p.txt");
    std::fs::write(&profile, "main;work 1\n").unwrap();
    let fifo = d.path().join("app.min.js.map");
    mkfifo(&fifo);
    // 512 MiB offered; the reader stops after 256 MiB + 1 byte. The FIFO is
    // opened on the writer's thread (opening blocks until the CLI reads).
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            offer_512_mib(f).join().unwrap()
        })
    };
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(["top", "-q", profile.to_str().unwrap(), "--source-map", fifo.to_str().unwrap()])
        .output()
        .unwrap();
    let written = writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("[limit_exceeded]") && stderr.contains("max_input_bytes"), "{stderr}");
    assert!(written < 512 << 20, "the CLI stopped reading: {written} bytes written");
}
