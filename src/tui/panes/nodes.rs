//! `:nodes`: the cluster's nodes: Ready, pressure conditions (DiskPressure, MemoryPressure,
//! PIDPressure), CPU and memory against allocatable from the metrics API, and the disk use of
//! the paths the stack mounts where reachable from here (a resource view, [`super::resources`],
//! with its own columns; read on demand, [`crate::engine::nodes`]).
//!
//! At 80 columns the name, the condition, the pressure, CPU, memory and the disks (cut) stay;
//! the age goes first, then the disks, memory, CPU and pressure.

use super::resources::{pane as resource_pane, Row, Rows, Spec};
use crate::bus::NodeFigures;
use crate::engine::nodes::{gib, pct};
use crate::tui::pane::Pane;
use crate::tui::rows::{age, Tone};
use crate::tui::theme::Role;
use crate::tui::view::PaneId;
use crate::tui::widgets::table::{CellText, Column};

pub const ID: PaneId = "nodes";

pub fn pane() -> Box<dyn Pane> {
    resource_pane(Spec {
        id: ID,
        kind: "nodes",
        title: "Nodes",
        names: &["nodes", "node", "no"],
        about: "nodes: conditions, pressure, usage against allocatable, disk use of the stack's paths",
        headers: ["READY", "STATUS", "INFO"],
        rows: Rows::Nodes,
    })
}

type C = Column<Row>;

/// The columns of `:nodes` (instead of the resource views' shared ones).
pub static COLUMNS: &[C] = &[
    C::new("NAME", |r, _| r.r.name.as_str().into())
        .min(8)
        .max(40)
        .sort('N', |a, b| a.r.name.cmp(&b.r.name)),
    C::new("CONDITION", |r, _| {
        let tone = if r.r.ready == "Ready" { Tone::Ok } else { Tone::Error };
        CellText::tone(r.r.ready.clone(), tone)
    })
    .sort('C', |a, b| a.r.ready.cmp(&b.r.ready)),
    C::new("PRESSURE", |r, _| {
        let role = if r.r.status == "no pressure" { Role::Base } else { Role::Warn };
        CellText::styled(r.r.status.clone(), role)
    })
    .priority(1)
    .sort('P', |a, b| a.r.status.cmp(&b.r.status)),
    C::new("CPU", |r, _| {
        let f = figures(r);
        usage(f.cpu_milli, f.cpu_allocatable, |m| format!("{m}m")).into()
    })
    .priority(1)
    .sort('U', |a, b| {
        let p = |r: &Row| share(figures(r).cpu_milli, figures(r).cpu_allocatable);
        p(b).cmp(&p(a))
    }),
    C::new("MEM", |r, _| {
        let f = figures(r);
        usage(f.mem_bytes, f.mem_allocatable, gib).into()
    })
    .priority(2)
    .sort('M', |a, b| {
        let p = |r: &Row| share(figures(r).mem_bytes, figures(r).mem_allocatable);
        p(b).cmp(&p(a))
    }),
    C::new("DISK", |r, _| disks(&figures(r).disks).into())
        .min(12)
        .priority(2)
        .sort('D', |a, b| fullest(&figures(b).disks).cmp(&fullest(&figures(a).disks))),
    C::new("AGE", |r, c| age(r.r.since, c.now).into())
        .priority(3)
        .sort('A', |a, b| b.r.since.cmp(&a.r.since)),
];

static NONE: NodeFigures = NodeFigures {
    cpu_milli: None,
    cpu_allocatable: None,
    mem_bytes: None,
    mem_allocatable: None,
    metrics_api: false,
    disks: Vec::new(),
};

/// The row's figures (a row without them shows every figure unknown).
fn figures(r: &Row) -> &NodeFigures {
    r.r.node.as_ref().unwrap_or(&NONE)
}

/// `1850m/8000m (23%)`; an unknown side says `unknown`.
fn usage(used: Option<u64>, of: Option<u64>, fmt: fn(u64) -> String) -> String {
    let side = |v: Option<u64>| v.map_or_else(|| "unknown".to_string(), fmt);
    match (used, of) {
        (Some(u), Some(o)) => format!("{}/{} ({}%)", fmt(u), fmt(o), pct(u, o)),
        _ => format!("{}/{}", side(used), side(of)),
    }
}

/// The share in use, for sorting (unknown last).
fn share(used: Option<u64>, of: Option<u64>) -> Option<u64> {
    Some(pct(used?, of?))
}

/// `95% /srv/media of 8000.0Gi, 24% /srv/config of 500.0Gi, unknown /srv/gone`: the fullest
/// first, so a cut cell keeps it; no path measured here says so.
fn disks(d: &[(String, Option<(u64, u64)>)]) -> String {
    if d.is_empty() {
        return "not measured here".into();
    }
    let mut d: Vec<&(String, Option<(u64, u64)>)> = d.iter().collect();
    d.sort_by_key(|(_, u)| std::cmp::Reverse(u.map(|(used, t)| pct(used, t))));
    let parts: Vec<String> = d
        .iter()
        .map(|(p, u)| match u {
            Some((used, total)) => format!("{}% {p} of {}", pct(*used, *total), gib(*total)),
            None => format!("unknown {p}"),
        })
        .collect();
    parts.join(", ")
}

/// The fullest measured disk's share, for sorting.
fn fullest(d: &[(String, Option<(u64, u64)>)]) -> Option<u64> {
    d.iter().filter_map(|(_, u)| u.map(|(used, t)| pct(used, t))).max()
}

/// The title's note: why usage is unknown, when it is for some node.
pub fn note(rows: &[Row]) -> Option<&'static str> {
    let unknown = rows.iter().map(figures).find(|f| f.cpu_milli.is_none() || f.mem_bytes.is_none())?;
    Some(if unknown.metrics_api {
        "usage unknown for some nodes"
    } else {
        "usage unknown: no metrics API"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_and_disks_say_unknown_where_they_are() {
        assert_eq!(usage(Some(1850), Some(8000), |m| format!("{m}m")), "1850m/8000m (23%)");
        assert_eq!(usage(None, Some(8000), |m| format!("{m}m")), "unknown/8000m");
        assert_eq!(usage(Some(9 << 30), None, gib), "9.0Gi/unknown");
        let d = vec![
            ("/srv/config".to_string(), Some((120u64 << 30, 500u64 << 30))),
            ("/srv/gone".to_string(), None),
        ];
        let full = ("/srv/media".to_string(), Some((95u64 << 30, 100u64 << 30)));
        assert_eq!(disks(&d), "24% /srv/config of 500.0Gi, unknown /srv/gone");
        let d = [d, vec![full]].concat();
        assert_eq!(
            disks(&d),
            "95% /srv/media of 100.0Gi, 24% /srv/config of 500.0Gi, unknown /srv/gone"
        );
        assert_eq!(disks(&[]), "not measured here");
        assert_eq!(fullest(&d), Some(95));
    }
}
