//! CPU time of the running process, for throughput figures that should stay meaningful on a loaded machine
//! (wall time measures the load as much as the work): the apps' reports and the crates' benchmark examples.

/// User + system CPU seconds of the whole process so far (all threads, finished ones included), read from
/// `/proc/self/stat` (Linux counts in USER_HZ = 100 ticks per second); `None` where that file does not exist.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(&stat)
}

/// Fields 14 and 15 (utime, stime) of a `/proc/<pid>/stat` line, in seconds.
fn parse_stat(stat: &str) -> Option<f64> {
    // The command name is in parentheses and may itself contain spaces or ')': split after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_the_command_name() {
        let line = "1234 (a b) c) R 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 100 200 300";
        assert_eq!(parse_stat(line), Some(3.0));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn grows_while_working() {
        let before = process_cpu_seconds().expect("/proc/self/stat readable");
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed().as_millis() < 50 {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        std::hint::black_box(x);
        assert!(process_cpu_seconds().expect("/proc/self/stat readable") >= before);
    }
}
