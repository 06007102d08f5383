//! A small YAML node tree with 1-based positions, built from parser events. Anchors,
//! aliases and merge keys (`<<`) are resolved here, within a node budget and a depth limit.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use crate::Location;
use crate::error::{Fault, Result};

/// Most nodes a file may expand to, aliases included: refuses "billion laughs" files.
pub const MAX_NODES: usize = 100_000;
/// Deepest nesting of lists and maps accepted.
pub const MAX_DEPTH: usize = 64;

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) loc: Location,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar's text after quote and block processing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scalar {
    pub(crate) text: String,
    /// Whether YAML 1.1 resolution applies: plain untagged scalars and scalars with a
    /// core tag other than `!!str`/`!!binary`. Quoted and block scalars are strings.
    pub(crate) resolvable: bool,
}

/// One key of a map. Keys stay raw strings, as in Wercker's YAML fork: `on:` is `"on"`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_loc: Location,
    pub(crate) value: Node,
}

impl Node {
    pub(crate) fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s)
            if crate::scalar::resolve(s) == crate::scalar::Value::Null)
    }

    fn count(&self) -> usize {
        match &self.kind {
            Kind::Scalar(_) => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Kind::Map(entries) => 1 + entries.iter().map(|e| 1 + e.value.count()).sum::<usize>(),
        }
    }
}

fn too_deep() -> String {
    format!("lists and maps are nested deeper than {MAX_DEPTH} levels")
}

fn location(mark: &Marker) -> Location {
    Location {
        line: mark.line().max(1),
        column: mark.col() + 1,
    }
}

enum Frame {
    Seq {
        loc: Location,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        loc: Location,
        anchor: usize,
        pairs: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    /// Anchored nodes with their expanded size, so that an alias can be charged for it.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
}

/// Parses the first document of `text` into a tree; `None` when there is none or it is null.
pub(crate) fn load(text: &str) -> Result<Option<Node>> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            // The scanner has its own, higher, limit on flow nesting.
            let message = if e.info() == "recursion limit exceeded" {
                too_deep()
            } else {
                format!("invalid yaml: {}", e.info())
            };
            Fault::new(location(e.marker()), message)
        })?;
        let loc = location(&span.start);
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            // Like Wercker's library, only the first document counts.
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::Alias(id) => {
                let Some((node, size)) = b.anchors.get(&id) else {
                    return Err(Fault::new(
                        loc,
                        "an alias refers to the list or map that contains it",
                    ));
                };
                let (node, size) = (node.clone(), *size);
                b.charge(size, loc)?;
                b.complete(Node { loc, ..node });
            }
            Event::Scalar(value, style, anchor, tag) => {
                b.charge(1, loc)?;
                let node = Node {
                    loc,
                    kind: Kind::Scalar(Scalar {
                        resolvable: resolvable(style, tag.as_deref()),
                        text: value.into_owned(),
                    }),
                };
                b.remember(anchor, &node);
                b.complete(node);
            }
            Event::SequenceStart(anchor, _) => {
                b.open(loc)?;
                b.stack.push(Frame::Seq {
                    loc,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                b.open(loc)?;
                b.stack.push(Frame::Map {
                    loc,
                    anchor,
                    pairs: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Frame::Seq { loc, anchor, items }) => (
                        Node {
                            loc,
                            kind: Kind::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        loc, anchor, pairs, ..
                    }) => (
                        Node {
                            loc,
                            kind: Kind::Map(finish_map(pairs)?),
                        },
                        anchor,
                    ),
                    None => return Err(Fault::new(loc, "invalid yaml: unbalanced collection")),
                };
                b.remember(anchor, &node);
                b.complete(node);
            }
        }
    }
    Ok(b.root.filter(|root| !root.is_null()))
}

impl Builder {
    fn charge(&mut self, size: usize, loc: Location) -> Result<()> {
        self.nodes = self.nodes.saturating_add(size);
        if self.nodes > MAX_NODES {
            return Err(Fault::new(
                loc,
                format!("the file expands to more than {MAX_NODES} nodes (aliases included)"),
            ));
        }
        Ok(())
    }

    fn open(&mut self, loc: Location) -> Result<()> {
        self.charge(1, loc)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(Fault::new(loc, too_deep()));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), node.count()));
        }
    }

    fn complete(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { pairs, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}

/// Whether a scalar takes part in YAML 1.1 resolution, given its style and tag.
fn resolvable(style: ScalarStyle, tag: Option<&Tag>) -> bool {
    match tag {
        None => style == ScalarStyle::Plain,
        Some(tag) if tag.is_yaml_core_schema() => !matches!(tag.suffix.as_str(), "str" | "binary"),
        // Local tags (`!foo`) leave the text a string, as the old library did.
        Some(_) => false,
    }
}

fn is_merge(key: &Node) -> bool {
    matches!(&key.kind, Kind::Scalar(s) if s.resolvable && s.text == "<<")
}

/// Turns key/value pairs into entries: keys must be scalars, a repeated key keeps its first
/// place and its last value, and merged keys never override keys written in the map.
fn finish_map(pairs: Vec<(Node, Node)>) -> Result<Vec<Entry>> {
    let mut explicit = HashSet::new();
    for (key, _) in &pairs {
        match &key.kind {
            _ if is_merge(key) => {}
            Kind::Scalar(s) => {
                explicit.insert(s.text.clone());
            }
            _ => return Err(Fault::new(key.loc, "map keys must be strings")),
        }
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(pairs.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, value) in pairs {
        if is_merge(&key) {
            let sources = match value.kind {
                Kind::Map(entries) => vec![entries],
                Kind::Seq(items) => items
                    .into_iter()
                    .map(|item| match item.kind {
                        Kind::Map(entries) => Ok(entries),
                        _ => Err(Fault::new(
                            item.loc,
                            "the merge key << needs a map or a list of maps",
                        )),
                    })
                    .collect::<Result<Vec<_>>>()?,
                Kind::Scalar(_) => {
                    return Err(Fault::new(
                        value.loc,
                        "the merge key << needs a map or a list of maps",
                    ));
                }
            };
            for merged in sources.into_iter().flatten() {
                if explicit.contains(&merged.key) || index.contains_key(&merged.key) {
                    continue;
                }
                index.insert(merged.key.clone(), entries.len());
                entries.push(merged);
            }
            continue;
        }
        let Kind::Scalar(s) = key.kind else {
            continue;
        };
        match index.get(&s.text) {
            Some(&i) => entries[i].value = value,
            None => {
                index.insert(s.text.clone(), entries.len());
                entries.push(Entry {
                    key: s.text,
                    key_loc: key.loc,
                    value,
                });
            }
        }
    }
    Ok(entries)
}
