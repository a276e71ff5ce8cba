//! report.html: one self-contained file (styles and SVG charts inline, nothing fetched), so it
//! opens from disk in any browser and can be mailed or archived alone.

use super::document::{Block, Document};
use crate::plot::Chart;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `code` spans into <code>.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            out += &format!("<code>{}</code>", escape(part));
        } else {
            out += &escape(part);
        }
    }
    out
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1560px;\
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}\
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}tr:nth-child(even) td{background:#fafafa}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}\
code{background:#f4f4f4;padding:0 0.2em}nav ul{columns:3}";

/// The chart's SVG, ready to sit inside HTML (no XML prolog).
fn inline_svg(chart: &Chart) -> &str {
    let svg = chart.svg.trim_start();
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

pub fn render(doc: &Document, charts: &[Chart]) -> String {
    let mut body = String::new();
    let mut toc = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text, id } => {
                if *level <= 3 {
                    toc.push((*level, id.clone(), text.clone()));
                }
                body += &format!(
                    "<h{level} id=\"{}\">{}</h{level}>\n",
                    escape(id),
                    inline(text)
                );
            }
            Block::Paragraph(text) => body += &format!("<p>{}</p>\n", inline(text)),
            Block::List(items) => {
                body += "<ul>\n";
                for item in items {
                    body += &format!("<li>{}</li>\n", inline(item));
                }
                body += "</ul>\n";
            }
            Block::Table { header, rows } => {
                body += "<table>\n";
                if header.iter().any(|h| !h.is_empty()) {
                    body += "<thead><tr>";
                    for h in header {
                        body += &format!("<th>{}</th>", inline(h));
                    }
                    body += "</tr></thead>\n";
                }
                body += "<tbody>\n";
                for r in rows {
                    body += "<tr>";
                    for c in r {
                        body += &format!("<td>{}</td>", inline(c));
                    }
                    body += "</tr>\n";
                }
                body += "</tbody></table>\n";
            }
            Block::Figure { stem, alt } => {
                if let Some(chart) = charts.iter().find(|c| &c.stem == stem) {
                    body += &format!(
                        "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                        escape(alt),
                        inline_svg(chart),
                        escape(&chart.title)
                    );
                }
            }
        }
    }
    let mut nav = String::from("<nav><ul>\n");
    for (level, id, text) in toc {
        let indent = if level == 3 { "&nbsp;&nbsp;" } else { "" };
        nav += &format!(
            "<li>{indent}<a href=\"#{}\">{}</a></li>\n",
            escape(&id),
            inline(&text)
        );
    }
    nav += "</ul></nav>\n";
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n\
         {nav}{body}</body>\n</html>\n",
        title = escape(&doc.title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_code_spans_kept() {
        assert_eq!(
            inline("a < b & `x<y`"),
            "a &lt; b &amp; <code>x&lt;y</code>"
        );
    }
}
