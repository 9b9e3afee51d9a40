//! `trawl graph [QUERY] --format gexf|graphml|dot|csv`: the correspondence graph of the hits
//! (every message by default), built by [`crate::people::graph`], written to stdout.

use std::io::{BufWriter, IsTerminal, Write};

use super::{people as people_cmd, search, Exit, Globals};
use crate::cli::{GraphArgs, GraphBy};
use crate::index::reader;
use crate::output::sanitize::for_terminal;
use crate::people::{self, count};

pub fn run(g: &Globals, args: GraphArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let lazy = people::Lazy::new(&opened, g.aliases.as_deref());
    let compiled = people_cmd::compile(&opened, g, &args.query, &lazy)?;
    let scope = search::scope_of(&args.scope, &compiled);
    let people = lazy.get()?;
    let searcher = opened.searcher();
    let scoped =
        crate::query::family::scope(&searcher, &opened.fields, compiled.query.as_ref(), scope)?;
    let by = match args.by {
        GraphBy::Person => count::By::Person,
        GraphBy::Address => count::By::Address,
    };
    let nodes = count::Nodes::new(people, by);
    let counts = nodes.count(&searcher, scoped.query.as_ref(), true, g.file_dates)?;
    let graph = people::graph::build(&nodes, &counts, args.min_messages);
    let mut bytes = Vec::new();
    people::graph::write(&graph, args.format, &mut bytes)?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    if terminal {
        // Labels are leaked text: on a terminal, escape what could drive it.
        for l in String::from_utf8_lossy(&bytes).lines() {
            writeln!(out, "{}", for_terminal(l))?;
        }
    } else {
        out.write_all(&bytes)?;
    }
    out.flush()?;
    eprintln!(
        "graph: {} nodes, {} edges, from {} hits",
        graph.nodes.len(),
        graph.edges.len(),
        counts.hits
    );
    Ok(if graph.nodes.is_empty() {
        Exit::NoMatch
    } else {
        Exit::Success
    })
}
