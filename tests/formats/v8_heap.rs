//! V8/Chrome sampling heap profiles (`.heapprofile`): every such file in the corpus.
//!
//! Expected values come from /tmp-style independent python3 walks of the raw
//! JSON (script kept in this comment):
//!
//! ```python
//! import json, collections
//! d = json.load(open(path))
//! def name(cf):   # speedscope's label; LINE is the raw 0-based lineNumber
//!     return cf['functionName'] or (f"(anonymous {cf['url'].split('/')[-1]}:{cf['lineNumber']})" if cf['url'] else '(anonymous)')
//! key = lambda cf: (name(cf), cf['url'], cf['lineNumber'], cf['columnNumber'])
//! selfw, tot = collections.Counter(), collections.Counter()
//! todo = [(d['head'], ())]; total = 0; n = 0
//! while todo:
//!     node, path = todo.pop()
//!     k = key(node['callFrame'])
//!     path += (k,)                         # the (root) head is a frame too, as in speedscope
//!     s = node['selfSize']; total += s
//!     if s > 0:
//!         n += 1; selfw[path[-1]] += s
//!         for kk in set(path): tot[kk] += s       # recursion counted once
//!     todo += [(c, path) for c in node['children']]
//! ```
//!
//! i.e. every node with a non-zero selfSize is one sample (weight = selfSize
//! bytes), self = bytes of nodes of that function, total = bytes of nodes
//! with that function on their path.

use flamekit::{Error, Format, ImportOptions, IngestLimits, LimitKind, ValueUnit};

use crate::common::{assert_close, assert_sniff_claims_exactly, corpus, corpus_files, weights};

#[test]
fn chrome_69_heap_profile() {
    let bytes = corpus("Chrome/69/Heap-20181005T144546.heapprofile");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Heap);
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.format(), "v8-heap");
    assert_eq!(g.profiles().len(), 1);
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Bytes);
    assert!(p.is_sampled());
    // 201 nodes have a non-zero selfSize; they sum to 10,030,888 bytes.
    assert_eq!(p.sample_count(), 201);
    assert_close(p.total_weight(), 10_030_888.0);
    for (name, s, t) in [
        ("(V8 API)", 1_894_920.0, 1_894_920.0),
        ("s_.Dma", 328_416.0, 787_840.0),
        ("e.Ba", 0.0, 781_240.0),
        ("ot", 0.0, 721_712.0),
        ("pt", 0.0, 653_608.0),
    ] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
    // Positions are 1-based in the model (the file gives s_.Dma lineNumber 269, columnNumber 15, 0-based).
    let dma = g.frames().iter().find(|f| f.name == "s_.Dma").unwrap();
    assert_eq!((dma.line, dma.col), (Some(270), Some(16)));
    assert!(dma.file.as_deref().unwrap().starts_with("https://www.google.fr/xjs/"));
    // The (root) head is kept as the outermost frame of every stack (as
    // speedscope keeps it): its total is every byte.
    let (s, t) = weights(&g, 0, "(root)");
    assert_close(s, 0.0);
    assert_close(t, 10_030_888.0);
    assert!(flamekit::dump_stacks(&g, p).iter().all(|l| l.starts_with("(root)")));
}

#[test]
fn node_10_heap_profile() {
    let bytes = corpus("node/10.11.0/Heap-20181003T105432.heapprofile");
    assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Heap);
    let g = flamekit::import(&bytes, None).unwrap();
    let p = &g.profiles()[0];
    assert_eq!(p.unit(), ValueUnit::Bytes);
    assert_eq!(p.sample_count(), 11);
    assert_close(p.total_weight(), 525_704.0);
    for (name, s, t) in [
        ("_tickDomainCallback", 0.0, 263_232.0),
        ("onread", 0.0, 229_672.0),
        ("pmessageHandler", 164_072.0, 164_072.0),
        ("Document.toObject", 0.0, 164_632.0),
        ("cloneArray", 65_568.0, 65_568.0),
    ] {
        let (sw, tw) = weights(&g, 0, name);
        assert_close(sw, s);
        assert_close(tw, t);
    }
}

#[test]
fn every_heapprofile_in_the_corpus_is_detected() {
    let mut n = 0;
    for path in corpus_files(".") {
        if path.extension().is_some_and(|e| e == "heapprofile") {
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(flamekit::detect(&bytes, None).unwrap(), Format::V8Heap, "{}", path.display());
            n += 1;
        }
    }
    assert_eq!(n, 2);
}

/// A 200,000-deep chain, built as text: no recursion anywhere.
#[test]
fn very_deep_trees_import_without_recursion() {
    let depth = 200_000;
    let mut s = String::from(r#"{"head":"#);
    for i in 0..depth {
        s.push_str(&format!(
            r#"{{"callFrame":{{"functionName":"f{}","url":"u.js","lineNumber":{i},"columnNumber":0}},"selfSize":{},"children":["#,
            i % 3,
            if i == depth - 1 { 8 } else { 0 }
        ));
    }
    for _ in 0..depth {
        s.push_str("]}");
    }
    s.push('}');
    let g = flamekit::import(s.as_bytes(), None).unwrap();
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 1);
    assert_close(p.total_weight(), 8.0);
    let tree = flamekit::CallTree::new(p);
    assert_eq!(tree.max_depth() as usize, depth);
    // The depth limit stops the walk while reading.
    let opts =
        ImportOptions { limits: IngestLimits { max_stack_depth: 1000, ..Default::default() }, ..Default::default() };
    match flamekit::import_with(s.as_bytes(), None, &opts) {
        Err(Error::LimitExceeded { limit: LimitKind::StackDepth, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn children_before_call_frame_and_root_self_size() {
    // Key order is free in JSON; the (root) head's own bytes are a sample of the (root) frame.
    let json = br#"{"head":{"children":[{"children":[],"selfSize":5,"callFrame":{"functionName":"",
        "url":"a.js","lineNumber":0,"columnNumber":4}}],"selfSize":2,
        "callFrame":{"functionName":"(root)","url":"","lineNumber":-1,"columnNumber":-1}},"samples":[]}"#;
    let g = flamekit::import(json, None).unwrap();
    let p = &g.profiles()[0];
    assert_eq!(p.sample_count(), 2);
    assert_close(p.total_weight(), 7.0);
    assert_close(p.duration(), 7.0);
    assert_eq!(weights(&g, 0, "(root)"), (2.0, 7.0));
    // An unnamed function: speedscope's label with the file's 0-based line.
    let (s, t) = weights(&g, 0, "(anonymous a.js:0)");
    assert_close(s, 5.0);
    assert_close(t, 5.0);
    let anon = g.frames().iter().find(|f| f.name == "(anonymous a.js:0)").unwrap();
    assert_eq!((anon.line, anon.col), (Some(1), Some(5)));
}

#[test]
fn every_prefix_imports_or_fails_typed() {
    let bytes = corpus("node/10.11.0/Heap-20181003T105432.heapprofile");
    for n in 0..bytes.len() {
        match flamekit::import_format(Format::V8Heap, &bytes[..n], &ImportOptions::default()) {
            Ok(_) => panic!("prefix {n} of {} imported", bytes.len()),
            Err(e) => assert!(Error::CODES.contains(&e.code())),
        }
    }
    let e = flamekit::import_format(Format::V8Heap, &bytes[..bytes.len() / 2], &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "truncated_input", "{e}");
    let e =
        flamekit::import_format(Format::V8Heap, br#"{"head":{"selfSize":-4}}"#, &ImportOptions::default()).unwrap_err();
    assert_eq!(e.code(), "invalid_profile");
}

/// The sniffer claims exactly this format's files among every file of the corpus.
#[test]
fn sniff_claims_only_its_own_corpus_files() {
    assert_sniff_claims_exactly(flamekit_formats::v8_heap::sniff, |rel| rel.ends_with(".heapprofile"));
}

/// Unnamed functions are labelled as speedscope labels them in heap
/// profiles: `(anonymous FILE:LINE)` with FILE the url's last segment and
/// LINE the file's raw (0-based) `lineNumber`; derived from every node of
/// the raw tree with an empty name and a url.
#[test]
fn anonymous_functions_are_named_by_file_and_raw_line() {
    let bytes = corpus("Chrome/69/Heap-20181005T144546.heapprofile");
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut expected = std::collections::BTreeSet::new();
    let mut todo = vec![&v["head"]];
    while let Some(n) = todo.pop() {
        let cf = &n["callFrame"];
        let url = cf["url"].as_str().unwrap();
        if cf["functionName"] == "" && !url.is_empty() {
            let file = url.rsplit('/').next().unwrap();
            expected.insert(format!("(anonymous {file}:{})", cf["lineNumber"].as_i64().unwrap()));
        }
        todo.extend(n["children"].as_array().unwrap());
    }
    assert!(expected.len() > 10, "{expected:?}");
    let g = flamekit::import(&bytes, None).unwrap();
    assert_eq!(g.profile_type(), "chrome-heap-profile");
    assert_eq!(g.flamedeck_duration_ms(), None, "bytes are no time unit");
    let names: std::collections::BTreeSet<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
    for label in &expected {
        assert!(names.contains(label.as_str()), "{label} missing");
    }
}
