//! CPU and MEM cells of the Services pane (issue 8): usage from the metrics API against the
//! limit (else the request) of the pod template: `35m/500m`, `240Mi/1Gi`; amber from 80 % of
//! the limit, red from 95 %; `—` when the metrics API did not report the service.

use crate::bus::ServiceUsage;
use crate::tui::rows::Tone;
use crate::tui::widgets::table::CellText;

fn tone(used: u64, limit: Option<u64>) -> Tone {
    match limit {
        Some(l) if l > 0 && used * 100 >= l * 95 => Tone::Error,
        Some(l) if l > 0 && used * 100 >= l * 80 => Tone::Warn,
        _ => Tone::Normal,
    }
}

pub fn cpu(m: u64) -> String {
    if m >= 1000 && m % 100 == 0 {
        format!("{:.1}", m as f64 / 1000.0)
    } else {
        format!("{m}m")
    }
}

pub fn mem(b: u64) -> String {
    const MI: u64 = 1024 * 1024;
    if b >= 1024 * MI && b % (1024 * MI) == 0 {
        format!("{}Gi", b / (1024 * MI))
    } else {
        format!("{}Mi", b / MI)
    }
}

fn cell(used: String, of: Option<String>, tone: Tone) -> CellText {
    let text = match of {
        Some(of) => format!("{used}/{of}"),
        None => used,
    };
    CellText::tone(text, tone)
}

pub fn cpu_cell(u: Option<&ServiceUsage>) -> CellText {
    let Some(u) = u else {
        return CellText::tone("—", Tone::Muted);
    };
    let of = u.cpu_limit.or(u.cpu_request);
    cell(
        cpu(u.cpu_milli),
        of.map(cpu),
        tone(u.cpu_milli, u.cpu_limit),
    )
}

pub fn mem_cell(u: Option<&ServiceUsage>) -> CellText {
    let Some(u) = u else {
        return CellText::tone("—", Tone::Muted);
    };
    let of = u.mem_limit.or(u.mem_request);
    cell(
        mem(u.mem_bytes),
        of.map(mem),
        tone(u.mem_bytes, u.mem_limit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_against_the_limit_else_the_request() {
        let u = ServiceUsage {
            cpu_milli: 480,
            mem_bytes: 240 * 1024 * 1024,
            cpu_request: Some(100),
            cpu_limit: Some(500),
            mem_request: Some(1 << 30),
            mem_limit: None,
        };
        let c = cpu_cell(Some(&u));
        assert_eq!(c.text, "480m/500m");
        let m = mem_cell(Some(&u));
        assert_eq!(m.text, "240Mi/1Gi");
        assert_eq!(cpu_cell(None).text, "—");
        assert_eq!(tone(96, Some(100)), Tone::Error);
        assert_eq!(tone(85, Some(100)), Tone::Warn);
        assert_eq!(tone(85, None), Tone::Normal);
    }
}
