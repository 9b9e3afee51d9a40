//! `trawl timeline A B [QUERY]`: everything between two parties, oldest first, with the time
//! since the previous message: the way a reporter reconstructs a conversation.

use super::search::{self, Mode, Plan};
use super::{Exit, Globals};
use crate::cli::{GapFrom, SortOrder, TimelineArgs};
use crate::index::reader;
use crate::query::{self, Context};

pub fn run(g: &Globals, args: TimelineArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let tz = g.tz()?;
    let text = timeline_query(&args.a, &args.b, &args.query.join(" "));
    let threads =
        opened.threads_if(args.gap == GapFrom::Conversation || query::needs_threads(&text))?;
    let people = crate::people::Lazy::new(&opened, g.aliases.as_deref());
    let compiled = query::compile_with_people(
        &text,
        Context {
            fields: &opened.fields,
            tz,
            file_dates: g.file_dates,
            threads: threads.as_ref(),
        },
        &|v| people.addresses(v),
    )?;
    let mode = Mode::Hits(args.output.format());
    search::print_notes(&compiled);
    let scope = search::scope_of(&args.scope, &compiled);
    let plan = Plan {
        compiled,
        sort: SortOrder::Date,
        limit: search::resolve_limit(&args.output, mode, true),
        mode,
        facets: Vec::new(),
        histogram: None,
        pairs: None,
        timeline: true,
        tz,
        file_dates: g.file_dates,
        style: g.style(),
        scope,
        threads: None,
        gap: args.gap,
        gap_threads: threads.filter(|_| args.gap == GapFrom::Conversation),
        context: None,
        by_person: false,
        aliases: g.aliases.clone(),
    };
    search::execute(&opened, &plan)
}

/// `between:A,B` plus the extra query, each party quoted when it holds spaces or commas.
pub fn timeline_query(a: &str, b: &str, extra: &str) -> String {
    let clean = |s: &str| {
        s.trim()
            .replace([',', '"', '(', ')'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut q = format!("between:{},{}", clean(a), clean(b));
    if !extra.trim().is_empty() {
        q.push_str(&format!(" ({extra})"));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_between_query() {
        assert_eq!(
            timeline_query("dana", "openvault", ""),
            "between:dana,openvault"
        );
        assert_eq!(
            timeline_query("Dana Reyes", "dm@openvault.example.org", "date:2016"),
            "between:Dana-Reyes,dm@openvault.example.org (date:2016)"
        );
    }
}
