//! Phase timings for developers: set `PARALLAX_TRACE` and each phase of a run prints its time,
//! memory and CPU on stderr. Not part of any output, and silent unless asked.

/// When the first trace started: marks also show the time since then, so the phases of
/// traces started in different places line up.
static TRACE_ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Phase timings on stderr when `PARALLAX_TRACE` is set: a profiling aid for developers.
pub struct Trace(Option<std::time::Instant>);

impl Trace {
    /// Starts timing (only if `PARALLAX_TRACE` is set).
    pub fn start() -> Self {
        Trace(std::env::var_os("PARALLAX_TRACE").map(|_| {
            TRACE_ORIGIN.get_or_init(std::time::Instant::now);
            std::time::Instant::now()
        }))
    }

    /// Prints the time since start and since the first trace started (total), resident memory
    /// now and at its peak, and the process's CPU time so far.
    pub fn mark(&self, what: &str) {
        if let Some(t0) = self.0 {
            // Resident memory now and at its peak (Linux only; blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map_or(String::new(), |v| v.trim().to_string())
            };
            // CPU time of the whole process so far (user + system; Linux only).
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|stat| {
                    // Fields after the command name (which may hold spaces) start at `) `.
                    let rest = &stat[stat.rfind(')')? + 2..];
                    let fields: Vec<&str> = rest.split(' ').collect();
                    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
                    // utime and stime are fields 14 and 15, in ticks of 1/100 s.
                    Some((ticks(11)? + ticks(12)?) / 100.0)
                })
                .map_or(String::new(), |c| format!(", cpu {c:.2} s"));
            eprintln!(
                "parallax trace: {what} at {:.3} s (total {:.3} s, rss {}, peak {}{cpu})",
                t0.elapsed().as_secs_f64(),
                TRACE_ORIGIN
                    .get_or_init(std::time::Instant::now)
                    .elapsed()
                    .as_secs_f64(),
                field("VmRSS:"),
                field("VmHWM:")
            );
        }
    }
}
