//! Helpers shared by the integration tests: a compact, readable rendering of a parsed
//! config, so that expectations stay short and show every field that was set.

#![allow(dead_code)]

use std::fmt::Write;

use werk_yml::{BoxConfig, Config, Step};

/// Parses `input` and renders it, or panics with the error.
pub fn render_ok(input: &str) -> String {
    match werk_yml::parse("wercker.yml", input) {
        Ok(config) => render(&config),
        Err(e) => panic!("unexpected error for {input:?}: {e}"),
    }
}

/// Parses `input`, which must fail, and renders the error as `line:column: message`.
pub fn render_err(input: &str) -> String {
    match werk_yml::parse("wercker.yml", input) {
        Ok(config) => panic!("expected an error for {input:?}, got {config:#?}"),
        Err(e) => format!("{}:{}: {}", e.line, e.column, e.message),
    }
}

pub fn render(c: &Config) -> String {
    let mut out = String::new();
    if let Some(b) = &c.box_ {
        writeln!(out, "box {}", render_box(b)).unwrap();
    }
    for s in &c.services {
        writeln!(out, "service {}", render_box(s)).unwrap();
    }
    for (label, v) in [
        ("command-timeout", c.command_timeout),
        ("no-response-timeout", c.no_response_timeout),
    ] {
        if let Some(v) = v {
            writeln!(out, "{label} {v}").unwrap();
        }
    }
    for (label, v) in [
        ("source-dir", &c.source_dir),
        ("ignore-file", &c.ignore_file),
    ] {
        if let Some(v) = v {
            writeln!(out, "{label} {v:?}").unwrap();
        }
    }
    for p in &c.pipelines {
        writeln!(out, "pipeline {}", p.name).unwrap();
        if let Some(b) = &p.box_ {
            writeln!(out, "  box {}", render_box(b)).unwrap();
        }
        if let Some(services) = &p.services {
            writeln!(out, "  services {}", services.len()).unwrap();
            for s in services {
                writeln!(out, "  service {}", render_box(s)).unwrap();
            }
        }
        if let Some(bp) = &p.base_path {
            writeln!(out, "  base-path {bp:?}").unwrap();
        }
        if p.docker {
            writeln!(out, "  docker").unwrap();
        }
        for s in &p.steps {
            render_step(&mut out, "step", s);
        }
        for s in &p.after_steps {
            render_step(&mut out, "after-step", s);
        }
        for (target, steps) in &p.deploy_targets {
            writeln!(out, "  target {target} ({} steps)", steps.len()).unwrap();
            for s in steps {
                render_step(&mut out, "step", s);
            }
        }
    }
    for w in &c.workflows {
        writeln!(out, "workflow {}", w.name).unwrap();
        for n in &w.pipelines {
            write!(out, "  {} runs {}", n.name, n.pipeline_name).unwrap();
            if !n.requires.is_empty() {
                write!(out, " requires {}", n.requires.join(",")).unwrap();
            }
            if let Some(a) = &n.artifact_pipeline {
                write!(out, " artifact {a}").unwrap();
            }
            if let Some(e) = &n.env_file {
                write!(out, " env {e}").unwrap();
            }
            writeln!(out).unwrap();
        }
    }
    out
}

fn render_box(b: &BoxConfig) -> String {
    let mut out = b.id.clone();
    for (label, v) in [
        ("tag", &b.tag),
        ("cmd", &b.cmd),
        ("entrypoint", &b.entrypoint),
        ("volumes", &b.volumes),
        ("name", &b.name),
        ("url", &b.url),
    ] {
        if let Some(v) = v {
            write!(out, " {label}={v:?}").unwrap();
        }
    }
    for (k, v) in &b.env {
        write!(out, " env.{k}={v:?}").unwrap();
    }
    if !b.ports.is_empty() {
        write!(out, " ports={:?}", b.ports).unwrap();
    }
    for (k, v) in &b.other {
        write!(out, " {k}={v:?}").unwrap();
    }
    out
}

fn render_step(out: &mut String, label: &str, s: &Step) {
    write!(
        out,
        "  {label} {} [{}/{}@{}] {}:{}",
        s.id,
        s.owner,
        s.name,
        s.version.as_deref().unwrap_or("*"),
        s.location.line,
        s.location.column
    )
    .unwrap();
    for (label, v) in [
        ("url", &s.url),
        ("name", &s.display_name),
        ("cwd", &s.cwd),
        ("checkpoint", &s.checkpoint),
    ] {
        if let Some(v) = v {
            write!(out, " {label}={v:?}").unwrap();
        }
    }
    writeln!(out).unwrap();
    for (k, v) in &s.properties {
        writeln!(out, "    {k}={v:?}").unwrap();
    }
}

/// Drops the common leading indentation of a multi-line expectation.
pub fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.lines().skip_while(|l| l.trim().is_empty()).collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for l in lines {
        out.push_str(l.get(indent..).unwrap_or("").trim_end());
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Asserts that `input` parses and renders as `expected` (dedented).
#[track_caller]
pub fn check(input: &str, expected: &str) {
    let input = dedent(input);
    assert_eq!(render_ok(&input), dedent(expected), "input:\n{input}");
}

/// Asserts that `input` fails with `expected` (`line:column: message`).
#[track_caller]
pub fn check_err(input: &str, expected: &str) {
    let input = dedent(input);
    assert_eq!(render_err(&input), expected, "input:\n{input}");
}
