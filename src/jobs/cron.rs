//! The interval of a cron schedule (the 5-field form `m h dom mon dow` and the `@hourly`,
//! `@daily`, `@weekly`, `@monthly`, `@yearly` macros): the longest gap between two runs, which
//! is what "no success within 2× the interval" needs. Fields take `*`, `a`, `a-b`, `*/n`,
//! `a-b/n`, lists and month/weekday names; day-of-month and day-of-week combine with OR when
//! both are restricted, as in cron(8).

use jiff::civil::Date;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// The values a field allows, and whether it was `*` (unrestricted).
fn field(text: &str, lo: u32, hi: u32, names: &[&str]) -> Option<(Vec<bool>, bool)> {
    let mut set = vec![false; hi as usize + 1];
    let num = |s: &str| -> Option<u32> {
        if let Ok(n) = s.parse() {
            return Some(n);
        }
        let l = s.to_ascii_lowercase();
        names.iter().position(|n| *n == l).map(|i| i as u32 + lo)
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (num(a)?, num(b)?)
        } else {
            let a = num(range)?;
            (a, if part.contains('/') { hi } else { a })
        };
        if a < lo || b > hi || a > b {
            return None;
        }
        for v in (a..=b).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Some((set, text.starts_with('*')))
}

/// The longest gap between two runs, in seconds; `None` when the schedule does not parse or
/// never runs.
pub fn interval_secs(schedule: &str) -> Option<i64> {
    let expanded = match schedule.trim() {
        "@hourly" => "0 * * * *",
        "@daily" | "@midnight" => "0 0 * * *",
        "@weekly" => "0 0 * * 0",
        "@monthly" => "0 0 1 * *",
        "@yearly" | "@annually" => "0 0 1 1 *",
        s => s,
    };
    let f: Vec<&str> = expanded.split_whitespace().collect();
    let [m, h, dom, mon, dow] = f.as_slice() else {
        return None;
    };
    let (minutes, _) = field(m, 0, 59, &[])?;
    let (hours, _) = field(h, 0, 23, &[])?;
    let (doms, dom_any) = field(dom, 1, 31, &[])?;
    let (months, mon_any) = field(mon, 1, 12, &MONTHS)?;
    let (mut dows, dow_any) = field(&dow.replace('7', "0"), 0, 6, &DAYS)?;
    if dow.contains('7') {
        dows[0] = true;
    }
    // Minutes of the day at which it runs.
    let times: Vec<i64> = (0..24)
        .filter(|h| hours[*h])
        .flat_map(|h| {
            (0..60)
                .filter(|m| minutes[*m])
                .map(move |m| (h * 60 + m) as i64)
        })
        .collect();
    let (first, last) = (*times.first()?, *times.last()?);
    let inner = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let day_gap = if dom_any && mon_any && dow_any {
        1
    } else {
        // Days on which it runs, over two years from a fixed date (every weekday/leap case).
        let start = Date::new(2024, 1, 1).ok()?;
        let runs = |d: Date| {
            let dom_ok = doms[d.day() as usize];
            let dow_ok = dows[d.weekday().to_sunday_zero_offset() as usize];
            let day_ok = match (dom_any, dow_any) {
                (false, false) => dom_ok || dow_ok,
                (true, false) => dow_ok,
                _ => dom_ok,
            };
            months[d.month() as usize] && day_ok
        };
        let days: Vec<i64> = (0..731i64)
            .filter(|i| {
                start
                    .checked_add(jiff::Span::new().days(*i))
                    .is_ok_and(runs)
            })
            .collect();
        days.windows(2).map(|w| w[1] - w[0]).max()?
    };
    let across = day_gap * 1440 - (last - first);
    Some(inner.max(across) * 60)
}

#[cfg(test)]
mod tests {
    use super::interval_secs;

    #[test]
    fn intervals_of_common_schedules() {
        let cases = [
            ("*/15 * * * *", 15 * 60),
            ("0 */6 * * *", 6 * 3600),
            ("@hourly", 3600),
            ("@daily", 86_400),
            ("30 2 * * *", 86_400),
            ("0 0 * * 0", 7 * 86_400),
            ("0 3 * * mon-fri", 3 * 86_400),
            ("0 0 1 * *", 31 * 86_400),
            ("0 8,20 * * *", 12 * 3600),
            ("0 1 * * 7", 7 * 86_400),
        ];
        for (s, want) in cases {
            assert_eq!(interval_secs(s), Some(want), "{s}");
        }
    }

    #[test]
    fn bad_schedules_have_no_interval() {
        for s in [
            "",
            "* * * *",
            "61 * * * *",
            "*/0 * * * *",
            "x y z a b",
            "0 0 31 2 *",
        ] {
            assert_eq!(interval_secs(s), None, "{s}");
        }
    }
}
