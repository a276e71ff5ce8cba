//! Where parbench's output files go, driven through the built binary: `--out` written through
//! a symlink to its target, never over a device node, `-` as standard output, the umask's
//! modes, a full disk (a tiny tmpfs) as exit 2 with no temporary file left; one check each for
//! `report` and `compare` outputs; restarts and retries shown in the report.

use crate::common;

use common::{arg, parbench, stderr, stdout};
use serde_json::Value;
use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The quickest run there is: one cell, one round, one sample.
const TINY: &str =
    "run --quick --workloads noop --strategies serial --workers 1 --rounds 1 --samples 1";

fn tiny_run(out: &str) -> Output {
    let mut args: Vec<&str> = TINY.split(' ').collect();
    args.extend(["--out", out]);
    parbench(&args)
}

fn results_at(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_exit_2_one_line(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("parbench: error") || l.contains(needle))
        .collect();
    assert_eq!(lines.len(), 1, "one error line naming {needle:?}: {err}");
    assert!(lines[0].contains(needle), "{err}");
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = (fs::read_dir(dir).unwrap().flatten())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

#[test]
fn out_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.json");
    fs::write(&target, "old results").unwrap();
    let link = dir.path().join("latest.json");
    std::os::unix::fs::symlink("target.json", &link).unwrap();
    let out = tiny_run(arg(&link));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(results_at(&target)["cells"].as_array().unwrap().len(), 1);
    assert_eq!(names(dir.path()), ["latest.json", "target.json"]);
}

#[test]
fn out_to_a_device_node_exits_2_and_leaves_the_device() {
    let out = tiny_run("/dev/null");
    assert_exit_2_one_line(
        &out,
        "--out /dev/null: a character device, not a regular file",
    );
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn out_dash_writes_the_results_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_parbench"))
        .args(TINY.split(' '))
        .args(["--out", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let results: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not the results JSON ({e}): {}", stdout(&out)));
    assert_eq!(results["cells"].as_array().unwrap().len(), 1);
    assert!(names(dir.path()).is_empty(), "no file named -");
}

#[test]
fn report_refuses_out_dash_and_makes_no_directory_of_that_name() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_results(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_parbench"))
        .args(["report", arg(&results), "--out", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_exit_2_one_line(&out, "--out -");
    assert!(!dir.path().join("-").exists(), "no directory named -");
}

/// Runs the tiny run under `umask` through a shell.
fn tiny_run_with_umask(umask: &str, out: &Path) -> Output {
    let mut args = vec!["-c", "umask \"$0\"; shift; exec \"$@\"", umask, "--"];
    args.push(env!("CARGO_BIN_EXE_parbench"));
    args.extend(TINY.split(' '));
    args.extend(["--out", arg(out)]);
    // `$0` is the umask, `$1` the `--` that `shift` drops: the rest is the command.
    Command::new("sh").args(args).output().unwrap()
}

#[test]
fn new_files_get_the_umask_mode_and_replaced_files_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, want) in [("022", 0o644), ("077", 0o600)] {
        let path = dir.path().join(format!("umask-{umask}.json"));
        let out = tiny_run_with_umask(umask, &path);
        assert!(out.status.success(), "umask {umask}: {}", stderr(&out));
        assert_eq!(mode(&path), want, "umask {umask}");
    }
    let kept = dir.path().join("kept.json");
    fs::write(&kept, "old").unwrap();
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
    let out = tiny_run_with_umask("077", &kept);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&kept), 0o640, "a replaced file keeps its mode");
}

/// A tmpfs of one page mounted on a fresh directory; unmounted when dropped. `None` where
/// mounting is not allowed (not root). A run's journal (a few kB) takes that page, so the
/// results file written at the end meets ENOSPC, as on a disk that fills during a long run.
struct FullDisk {
    dir: tempfile::TempDir,
}

impl FullDisk {
    fn mount() -> Option<FullDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs", arg(dir.path())])
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(FullDisk { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).output();
    }
}

#[test]
fn a_full_disk_exits_2_after_the_table_and_leaves_no_temporary_file() {
    let Some(disk) = FullDisk::mount() else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root, as CI has)");
        return;
    };
    let out_path = disk.path("results.json");
    let out = tiny_run(arg(&out_path));
    let err = stderr(&out);
    assert_exit_2_one_line(&out, "No space left on device");
    let named = format!("--out {}", out_path.display());
    assert!(err.contains(&named), "names the flag and the file: {err}");
    assert!(
        stdout(&out).contains("noop"),
        "the table is printed before the failed write: {}",
        stdout(&out)
    );
    // The journal stays, to resume from once there is room.
    assert_eq!(
        names(disk.dir.path()),
        ["results.json.journal"],
        "no temporary file left"
    );
}

/// A tiny run's results file in `dir`.
fn tiny_results(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.json");
    let out = tiny_run(arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

#[test]
fn report_writes_through_a_linked_document_and_shows_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_results(dir.path());
    // A cell whose worker was replaced: the report must say so, not a bare `yes`.
    let mut r = results_at(&results);
    let cell = &mut r["cells"][0];
    cell["worker_restarts"] = 1.into();
    cell["retried_tasks"] = serde_json::json!([3]);
    cell["disturbed_s"] = serde_json::json!([1.0]);
    fs::write(&results, serde_json::to_vec(&r).unwrap()).unwrap();
    let report_dir = dir.path().join("report");
    fs::create_dir(&report_dir).unwrap();
    let elsewhere = dir.path().join("kept-report.md");
    std::os::unix::fs::symlink(&elsewhere, report_dir.join("report.md")).unwrap();
    let out = parbench(&["report", arg(&results), "--out", arg(&report_dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let link = fs::symlink_metadata(report_dir.join("report.md")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let md = fs::read_to_string(&elsewhere).unwrap();
    assert!(
        md.contains("yes (1 restart, task 3 retried, 1 sample left out)"),
        "{md}"
    );
}

#[test]
fn compare_refuses_a_device_for_its_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_results(dir.path());
    let out = parbench(&[
        "compare",
        arg(&results),
        arg(&results),
        "--markdown",
        "/dev/null",
    ]);
    assert_exit_2_one_line(&out, "--markdown /dev/null: a character device");
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}
