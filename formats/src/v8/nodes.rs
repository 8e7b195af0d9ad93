//! A CPU profile's nodes as the import keeps them: 64 bytes a node, its
//! children's ids and any string that is not a slice of the input kept
//! beside the nodes ([`Nodes`]). A profile holds one node per node of the
//! file (23 MB of them at 104 bytes for the 44 MB benchmark file, before
//! they were made this small), each page of which a new process maps and
//! clears, and the interning reads them in the order the samples open them.

use std::borrow::Cow;
use std::num::NonZeroU32;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use super::{one_based, Children, NodeJson};
use crate::kept::{Kept, Text};
use crate::parallel::Parts;

/// What the nodes cannot hold: more than `u32::MAX` children ids of one
/// node, or strings with escapes (the error [`super::too_many`] makes, and
/// serde's read of a `nodes` array gives).
pub(super) const TOO_MANY: &str = "more children ids or escaped strings than a profile can hold";

/// One node of a CPU profile, whatever format it came from. Its `children`
/// ids are kept beside it, in node order (only their number here), and so
/// are strings that are not slices of the input: read them through its
/// [`Nodes`] or [`NodePart`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CpuNode<'a> {
    pub(super) id: i64,
    /// The parent's id, when `has_parent`.
    parent: i64,
    pub(super) name: Text<'a>,
    pub(super) url: Text<'a>,
    /// 1-based ([`one_based`] of the file's 0-based `lineNumber`).
    pub(super) line: Option<NonZeroU32>,
    /// 1-based ([`one_based`] of the file's 0-based `columnNumber`).
    pub(super) col: Option<NonZeroU32>,
    /// How many children ids follow the previous node's in the children.
    children: u32,
    has_parent: bool,
}

// The size the module's doc gives.
const _: () = assert!(std::mem::size_of::<CpuNode<'static>>() <= 64);

impl<'a> CpuNode<'a> {
    /// A node as serde reads `{"id": 0}` (through [`NodeJson`]'s defaults):
    /// what [`super::scan::push_node`] fills.
    pub(super) fn empty() -> Self {
        CpuNode {
            id: 0,
            parent: 0,
            name: Text::In(""),
            url: Text::NONE,
            line: None,
            col: None,
            children: 0,
            has_parent: false,
        }
    }

    pub(super) fn parent(&self) -> Option<i64> {
        self.has_parent.then_some(self.parent)
    }

    pub(super) fn set_parent(&mut self, parent: Option<i64>) {
        self.has_parent = parent.is_some();
        self.parent = parent.unwrap_or(0);
    }

    /// The number of its children ids.
    pub(super) fn children(&self) -> usize {
        self.children as usize
    }
}

/// A node without children ids, its strings with escapes kept in `kept`
/// (no name: the empty one); `None` when `kept` would hold more than
/// `u32::MAX` strings.
fn new_node<'a>(
    kept: &mut Kept,
    id: i64,
    parent: Option<i64>,
    name: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    (line, col): (Option<NonZeroU32>, Option<NonZeroU32>),
) -> Option<CpuNode<'a>> {
    let mut node = CpuNode::empty();
    node.id = id;
    node.set_parent(parent);
    node.name = match name {
        Some(s) => kept.keep(s)?,
        None => Text::In(""),
    };
    node.url = match url {
        Some(s) => kept.keep(s)?,
        None => Text::NONE,
    };
    (node.line, node.col) = (line, col);
    Some(node)
}

/// The node serde read, its strings with escapes kept in `kept`, and its
/// children ids; `None` when it has more children than a node can count
/// or `kept` would hold more than `u32::MAX` strings.
fn from_json<'a>(n: NodeJson<'a>, kept: &mut Kept) -> Option<(CpuNode<'a>, Children)> {
    let children = n.children.unwrap_or_default();
    let f = n.call_frame;
    let location = (f.line_number.and_then(one_based), f.column_number.and_then(one_based));
    let mut node = new_node(kept, n.id, n.parent, f.function_name.map(|s| s.0), f.url.map(|s| s.0), location)?;
    node.children = u32::try_from(children.len()).ok()?;
    Some((node, children))
}

/// A node's fields with its strings and children read: what tests compare.
#[cfg(test)]
#[derive(Debug, PartialEq)]
pub(crate) struct NodeView<'n> {
    pub(crate) id: i64,
    pub(crate) name: &'n str,
    pub(crate) url: Option<&'n str>,
    pub(crate) line: Option<NonZeroU32>,
    pub(crate) col: Option<NonZeroU32>,
    pub(crate) parent: Option<i64>,
    pub(crate) children: Vec<i64>,
}

/// Nodes read together (a chunk of a `nodes` array): the nodes, their
/// children ids in node order, and their kept strings.
#[derive(Default, Debug)]
pub(crate) struct NodePart<'a> {
    pub(super) nodes: Vec<CpuNode<'a>>,
    pub(super) children: Vec<i64>,
    kept: Kept,
}

impl<'a> NodePart<'a> {
    /// Room for `n` nodes and as many children ids.
    pub(crate) fn with_capacity(n: usize) -> Self {
        // A node has one child on average (all but the root are children).
        NodePart { nodes: Vec::with_capacity(n), children: Vec::with_capacity(n), kept: Kept::default() }
    }

    /// Append the node serde read; `None` when it has more children than
    /// a node can count, or the part more kept strings (`u32::MAX`).
    pub(crate) fn push_json(&mut self, n: NodeJson<'a>) -> Option<()> {
        let (node, children) = from_json(n, &mut self.kept)?;
        self.children.extend_from_slice(&children);
        self.nodes.push(node);
        Some(())
    }

    /// Append a node of the old format (no `children`, a parent id).
    pub(crate) fn push_old(
        &mut self,
        id: i64,
        name: Cow<'a, str>,
        url: Option<Cow<'a, str>>,
        line: Option<NonZeroU32>,
        parent: Option<i64>,
    ) -> Option<()> {
        let node = new_node(&mut self.kept, id, parent, Some(name), url, (line, None))?;
        self.nodes.push(node);
        Some(())
    }

    /// Count the children ids pushed since `from` (the length of
    /// `children` before them) as the last node's.
    pub(super) fn set_children_from(&mut self, from: usize) -> Option<()> {
        let n = u32::try_from(self.children.len().checked_sub(from)?).ok()?;
        self.nodes.last_mut()?.children = n;
        Some(())
    }

    /// Node `i` (of this part) with its strings and children read.
    #[cfg(test)]
    pub(crate) fn view(&self, i: usize) -> NodeView<'_> {
        let first: usize = self.nodes[..i].iter().map(CpuNode::children).sum();
        let n = &self.nodes[i];
        NodeView {
            id: n.id,
            name: self.kept.get(n.name).unwrap_or(""),
            url: self.kept.get(n.url),
            line: n.line,
            col: n.col,
            parent: n.parent(),
            children: self.children[first..first + n.children()].to_vec(),
        }
    }
}

/// A profile's nodes, in order, in the parts they were read in, with their
/// children ids and kept strings.
#[derive(Default, Debug)]
pub(crate) struct Nodes<'a> {
    nodes: Parts<CpuNode<'a>>,
    children: Parts<i64>,
    kept: Kept,
}

impl<'a> Nodes<'a> {
    /// Append `part`'s nodes. `None` when the kept strings would be more
    /// than `u32::MAX` (the nodes are then left as they were).
    pub(crate) fn push_part(&mut self, mut part: NodePart<'a>) -> Option<()> {
        if !part.kept.is_empty() {
            let base = self.kept.append(&mut part.kept)?;
            for n in &mut part.nodes {
                n.name.shift(base);
                n.url.shift(base);
            }
        }
        self.nodes.push_part(part.nodes);
        self.children.push_part(part.children);
        Some(())
    }

    /// Append the node serde read to the last part (or a new one, as
    /// [`Parts::push`] does); `None` when it has more children than a node
    /// can count, or the nodes more kept strings (`u32::MAX`).
    pub(crate) fn push_json(&mut self, n: NodeJson<'a>) -> Option<()> {
        let (node, children) = from_json(n, &mut self.kept)?;
        self.children.extend(children);
        self.nodes.push(node);
        Some(())
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &CpuNode<'a>> {
        self.nodes.iter()
    }

    /// Every node's children ids, one node after another in node order
    /// (each node's [`CpuNode::children`] of them).
    pub(super) fn children(&self) -> impl Iterator<Item = &i64> {
        self.children.iter()
    }

    /// Node `i`, if `i < len()`.
    pub(super) fn get(&self, i: usize) -> Option<&CpuNode<'a>> {
        self.nodes.get(i)
    }

    /// A node's `functionName` (empty when it has none).
    pub(super) fn name<'s>(&'s self, n: &CpuNode<'s>) -> &'s str {
        self.kept.get(n.name).unwrap_or("")
    }

    /// A node's `url`.
    pub(super) fn url<'s>(&'s self, n: &CpuNode<'s>) -> Option<&'s str> {
        self.kept.get(n.url)
    }

    /// The nodes with their strings and children read.
    #[cfg(test)]
    pub(crate) fn views(&self) -> Vec<NodeView<'_>> {
        let mut children = self.children();
        self.iter()
            .map(|n| NodeView {
                id: n.id,
                name: self.name(n),
                url: self.url(n),
                line: n.line,
                col: n.col,
                parent: n.parent(),
                children: children.by_ref().take(n.children()).copied().collect(),
            })
            .collect()
    }
}

impl<'a> std::ops::Index<usize> for Nodes<'a> {
    type Output = CpuNode<'a>;

    fn index(&self, i: usize) -> &CpuNode<'a> {
        &self.nodes[i]
    }
}

/// Read as a JSON array of nodes ([`NodeJson`]), one node at a time.
impl<'de: 'a, 'a> Deserialize<'de> for Nodes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seq<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Seq<'a> {
            type Value = Nodes<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nodes<'a>, A::Error> {
                let mut nodes = Nodes::default();
                while let Some(n) = seq.next_element::<NodeJson<'a>>()? {
                    nodes.push_json(n).ok_or_else(|| serde::de::Error::custom(TOO_MANY))?;
                }
                Ok(nodes)
            }
        }
        d.deserialize_seq(Seq(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> NodeJson<'_> {
        serde_json::from_str(s).unwrap()
    }

    /// Strings with escapes are kept beside the nodes, each part's own
    /// numbered from 0: every part's are read back, after any number of
    /// parts with and without them, and so are those of nodes appended one
    /// at a time.
    #[test]
    fn kept_strings_of_every_part_are_read_back() {
        let texts: Vec<String> = (0..12)
            .map(|i| match i % 3 {
                0 => format!(
                    r#"{{"id":{i},"callFrame":{{"functionName":"f\u00{i:02}x","url":"a\/{i}.js"}},"children":[{i},1]}}"#
                ),
                1 => format!(r#"{{"id":{i},"callFrame":{{"functionName":"g{i}","url":"b{i}.js"}},"parent":3}}"#),
                _ => format!(r#"{{"id":{i},"callFrame":{{"functionName":"h\n{i}"}}}}"#),
            })
            .collect();
        let mut nodes = Nodes::default();
        for chunk in texts.chunks(5) {
            let mut part = NodePart::default();
            for t in chunk {
                part.push_json(json(t)).unwrap();
            }
            nodes.push_part(part).unwrap();
        }
        let got = nodes.views();
        assert_eq!(got.len(), 12);
        for (i, v) in got.iter().enumerate() {
            let i64_ = i as i64;
            let want = match i % 3 {
                0 => (format!("f{}x", char::from(i as u8)), Some(format!("a/{i}.js")), vec![i64_, 1], None),
                1 => (format!("g{i}"), Some(format!("b{i}.js")), vec![], Some(3)),
                _ => (format!("h\n{i}"), None, vec![], None),
            };
            assert_eq!(
                (v.id, v.name, v.url, &v.children, v.parent),
                (i64_, &*want.0, want.1.as_deref(), &want.2, want.3),
                "node {i}"
            );
        }
        // Read as one array by serde, the same nodes.
        let array = format!("[{}]", texts.join(","));
        let one: Nodes = serde_json::from_str(&array).unwrap();
        assert_eq!(one.views(), got);
        // Appended one at a time after a part (as a trace's chunks are),
        // the same nodes.
        let mut each = Nodes::default();
        let mut part = NodePart::default();
        part.push_json(json(&texts[0])).unwrap();
        each.push_part(part).unwrap();
        for t in &texts[1..] {
            each.push_json(json(t)).unwrap();
        }
        assert_eq!(each.views(), got);
    }
}
