//! The process's CPU time (user + system, all threads), for throughput figures that mean something on a
//! loaded machine.

/// Seconds of CPU time the process has used so far, from `/proc/self/stat` (Linux; `None` elsewhere or
/// when it cannot be read). Resolution: the kernel's clock tick (1/100 s).
pub fn process_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces): state is field 3,
    // utime field 14 and stime field 15 (1-based), in clock ticks of 1/100 s (USER_HZ).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_time_advances_with_work() {
        let Some(before) = super::process_seconds() else {
            return; // not Linux
        };
        let start = std::time::Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after - before < 0.02 && start.elapsed().as_secs() < 10 {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            after = super::process_seconds().unwrap();
        }
        assert!(after - before >= 0.02, "{before} -> {after}");
    }
}
