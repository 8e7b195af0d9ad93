//! Matching begin (`B`) and end (`E`) events of one thread, with
//! speedscope's rules for events that share a timestamp.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use hashbrown::HashMap;

/// One begin or end in a queue.
#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub(super) ts: f64,
    /// speedscope's event id: name and args.
    pub(super) eid: u32,
    /// Frame key: the event id, or Hermes' name/url/line/column.
    pub(super) fkey: u32,
    /// The raw name.
    pub(super) nid: u32,
    /// Index of the event in its thread.
    pub(super) src: u32,
}

/// The `E` queue. Events with the same `ts` form a group; taking an `E` may
/// first swap a better-matching `E` of the group to the front (speedscope's
/// rule), which moves the old front into the taken event's slot. Searches
/// use per-group indexes for big groups, so many simultaneous ends stay
/// O(n log n).
struct EndQueue {
    pub(super) items: Vec<Item>,
    pub(super) head: usize,
    pub(super) group_end: usize,
    pub(super) linear_max: usize,
    /// The index of the current group, when it is built (`indexed`). Its
    /// tables are kept from group to group, so a group's index allocates
    /// nothing but the sets of keys that several of its ends share.
    pub(super) index: GroupIndex,
    pub(super) indexed: bool,
}

/// The slots of a group's ends, by frame key and by name.
#[derive(Default)]
struct GroupIndex {
    pub(super) by_fkey: HashMap<u32, Slots>,
    pub(super) by_nid: HashMap<u32, Slots>,
}

impl GroupIndex {
    /// Index `items`, the group's ends from slot `first` on, in place of
    /// the previous group's. A table much larger than the group is dropped
    /// rather than cleared, so clearing costs no more than building.
    fn build(&mut self, items: &[Item], first: usize) {
        for map in [&mut self.by_fkey, &mut self.by_nid] {
            if map.capacity() > 2 * items.len().max(64) {
                *map = HashMap::with_capacity(items.len());
            } else {
                map.clear();
            }
        }
        for (s, it) in (first..).zip(items) {
            self.by_fkey.entry(it.fkey).or_insert(Slots::Empty).insert(s as u32);
            self.by_nid.entry(it.nid).or_insert(Slots::Empty).insert(s as u32);
        }
    }
}

/// The slots of one key in an indexed group, in order: most keys have one
/// slot, kept without an allocation.
enum Slots {
    Empty,
    One(u32),
    Many(BTreeSet<u32>),
}

impl Slots {
    fn insert(&mut self, s: u32) {
        match self {
            Slots::Empty => *self = Slots::One(s),
            Slots::One(x) => *self = Slots::Many(BTreeSet::from([*x, s])),
            Slots::Many(set) => {
                set.insert(s);
            }
        }
    }

    fn remove(&mut self, s: u32) {
        match self {
            Slots::One(x) if *x == s => *self = Slots::Empty,
            Slots::Many(set) => {
                set.remove(&s);
            }
            _ => {}
        }
    }

    /// The first slot after `h`.
    fn first_after(&self, h: u32) -> Option<u32> {
        match self {
            Slots::Empty => None,
            Slots::One(x) => (*x > h).then_some(*x),
            Slots::Many(set) => set.range(h + 1..).next().copied(),
        }
    }
}

impl EndQueue {
    const LINEAR_MAX: usize = 16;

    fn new(items: Vec<Item>, linear_max: usize) -> Self {
        EndQueue { items, head: 0, group_end: 0, linear_max, index: GroupIndex::default(), indexed: false }
    }

    fn front(&self) -> Option<&Item> {
        self.items.get(self.head)
    }

    fn enter_group(&mut self) {
        if self.head >= self.group_end && self.head < self.items.len() {
            self.indexed = false;
            let ts = self.items[self.head].ts;
            let mut e = self.head + 1;
            while e < self.items.len() && self.items[e].ts == ts {
                e += 1;
            }
            self.group_end = e;
        }
    }

    /// Move the first later `E` of the front's group matching `fkey` (else
    /// `nid`) to the front.
    fn prefer(&mut self, fkey: u32, nid: u32) {
        if self.head >= self.items.len() {
            return;
        }
        self.enter_group();
        let (h, e) = (self.head, self.group_end);
        if e - h <= 1 {
            return;
        }
        let found = if e - h <= self.linear_max {
            let rest = &self.items[h + 1..e];
            rest.iter()
                .position(|it| it.fkey == fkey)
                .or_else(|| rest.iter().position(|it| it.nid == nid))
                .map(|p| h + 1 + p)
        } else {
            if !self.indexed {
                self.index.build(&self.items[h..e], h);
                self.indexed = true;
            }
            let ix = &self.index;
            let h32 = h as u32;
            ix.by_fkey
                .get(&fkey)
                .and_then(|s| s.first_after(h32))
                .or_else(|| ix.by_nid.get(&nid).and_then(|s| s.first_after(h32)))
                .map(|s| s as usize)
        };
        if let Some(i) = found {
            let (a, c) = (self.items[h], self.items[i]);
            if self.indexed {
                let ix = &mut self.index;
                let (h32, i32) = (h as u32, i as u32);
                if a.fkey != c.fkey {
                    move_slot(&mut ix.by_fkey, a.fkey, h32, i32);
                    move_slot(&mut ix.by_fkey, c.fkey, i32, h32);
                }
                if a.nid != c.nid {
                    move_slot(&mut ix.by_nid, a.nid, h32, i32);
                    move_slot(&mut ix.by_nid, c.nid, i32, h32);
                }
            }
            self.items.swap(h, i);
        }
    }

    fn pop(&mut self) -> Option<Item> {
        let it = *self.items.get(self.head)?;
        self.enter_group();
        if self.indexed {
            let ix = &mut self.index;
            let h = self.head as u32;
            if let Some(s) = ix.by_fkey.get_mut(&it.fkey) {
                s.remove(h);
            }
            if let Some(s) = ix.by_nid.get_mut(&it.nid) {
                s.remove(h);
            }
        }
        self.head += 1;
        Some(it)
    }
}

/// What one step of the [`Matcher`] does.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    /// A begin: the event opens a frame.
    Begin(Item),
    /// An end that closes the innermost open event `begin`. Its frame key
    /// may differ from the begin's (other args): the open one is closed.
    End {
        /// The innermost open event, now closed.
        begin: Item,
        /// The end event.
        end: Item,
    },
    /// An end with no open event: ignored.
    Unmatched(Item),
    /// An end whose name is not the innermost open event's: ignored.
    Mismatched {
        /// The end event.
        end: Item,
        /// The innermost open event, still open.
        open: Item,
    },
}

/// The begin/end matcher of one thread. It walks the begins and the ends
/// (each sorted by `ts`) in time order as speedscope does: at equal times a
/// begin goes first only when it is the same event (name and args) as the
/// front end; an end prefers, among the ends of its timestamp, one whose
/// frame key (else name) matches the innermost open event.
pub(super) struct Matcher {
    begins: Vec<Item>,
    next_begin: usize,
    ends: EndQueue,
    open: Vec<Item>,
}

impl Matcher {
    /// A matcher over `begins` and `ends`, both sorted by `ts` (stable).
    pub(super) fn new(begins: Vec<Item>, ends: Vec<Item>) -> Self {
        Self::with_linear_max(begins, ends, EndQueue::LINEAR_MAX)
    }

    /// As [`Matcher::new`], with the group size above which end groups are
    /// indexed (tests compare both searches).
    pub(super) fn with_linear_max(begins: Vec<Item>, ends: Vec<Item>, linear_max: usize) -> Self {
        Matcher { begins, next_begin: 0, ends: EndQueue::new(ends, linear_max), open: Vec::new() }
    }

    /// The next step, or `None` when every begin and end has been taken.
    pub(super) fn next_step(&mut self) -> Option<Step> {
        let take_begin = match (self.begins.get(self.next_begin), self.ends.front()) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(b), Some(e)) => b.ts < e.ts || (b.ts == e.ts && b.eid == e.eid),
        };
        if take_begin {
            let it = self.begins[self.next_begin];
            self.next_begin += 1;
            self.open.push(it);
            return Some(Step::Begin(it));
        }
        if let Some(top) = self.open.last() {
            self.ends.prefer(top.fkey, top.nid);
        }
        let end = self.ends.pop()?;
        Some(match self.open.last() {
            None => Step::Unmatched(end),
            Some(&open) if open.nid != end.nid => Step::Mismatched { end, open },
            Some(_) => {
                let begin = self.open.pop()?;
                Step::End { begin, end }
            }
        })
    }

    /// The events still open, outermost first.
    pub(super) fn still_open(&self) -> &[Item] {
        &self.open
    }
}

fn move_slot(map: &mut HashMap<u32, Slots>, key: u32, from: u32, to: u32) {
    let s = map.entry(key).or_insert(Slots::Empty);
    s.remove(from);
    s.insert(to);
}

pub(super) fn cmp_ts(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// Stable sort by `ts`, skipped when already in order.
pub(super) fn sort_by_ts(v: &mut [Item]) {
    if v.windows(2).any(|w| w[1].ts < w[0].ts) {
        v.sort_by(|a, b| cmp_ts(a.ts, b.ts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(ts: f64, key: u32, nid: u32, src: u32) -> Item {
        Item { ts, eid: key, fkey: key, nid, src }
    }

    /// The indexed search must behave exactly like the linear one.
    #[test]
    fn end_queue_index_matches_linear_scan() {
        let mut seed = 12345u64;
        let mut rnd = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..250 {
            // Small groups; from round 200 on, one big group (its tables
            // are dropped, not cleared, for the small groups after it).
            let big = round >= 200;
            let len = if big { 300 + rnd(100) as usize } else { 1 + rnd(60) as usize };
            let keys = if big { 40 } else { 5 };
            let items: Vec<Item> = (0..len)
                .map(|i| {
                    let t = match (big, i < 250) {
                        (false, _) => rnd(3),
                        (true, true) => 0,
                        (true, false) => 1 + rnd(30),
                    };
                    item((t * 10) as f64, rnd(keys) as u32, rnd(3) as u32, i as u32)
                })
                .collect();
            let mut sorted = items.clone();
            sort_by_ts(&mut sorted);
            let mut a = EndQueue::new(sorted.clone(), usize::MAX);
            let mut b = EndQueue::new(sorted, 0);
            let mut out_a = Vec::new();
            let mut out_b = Vec::new();
            while a.front().is_some() {
                let (k, n) = (rnd(keys) as u32, rnd(3) as u32);
                if rnd(2) == 0 {
                    a.prefer(k, n);
                    b.prefer(k, n);
                }
                out_a.push(a.pop().unwrap().src);
                out_b.push(b.pop().unwrap().src);
            }
            assert!(b.pop().is_none());
            assert_eq!(out_a, out_b);
        }
    }
}
