//! A run report in two forms from one description: Markdown (plots linked as SVG files beside it) and a
//! self-contained HTML page (the same plots embedded inline), both written atomically.
//!
//! A [`Report`] is a title, an introduction and [`Section`]s; each section names the command that reproduces it
//! and holds [`Block`]s: paragraphs, tables, preformatted text and plots (SVG documents rendered by
//! [`crate::plot`] or [`crate::heatmap`]).
//!
//! ```
//! use appkit::plot::{Figure, loss_curves};
//! use appkit::report::{Block, Report, Section};
//!
//! let svg = Figure::single(loss_curves("loss", &[0.9, 0.5, 0.4], None)).render_svg()?;
//! let mut section = Section::new("demo", "A demo", "cargo run -p demo");
//! section.push(Block::table(["epoch", "loss"], [["1", "0.9"], ["2", "0.5"], ["3", "0.4"]]));
//! section.push(Block::plot("demo-loss.svg", "Training loss", svg));
//! let mut report = Report::new("Demo report");
//! report.sections.push(section);
//! let dir = tempfile::tempdir()?;
//! report.write(dir.path())?;
//! assert!(std::fs::read_to_string(dir.path().join("report.md"))?.contains("](plots/demo-loss.svg)"));
//! assert!(std::fs::read_to_string(dir.path().join("report.html"))?.contains("<svg"));
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::Path;

use anyhow::bail;

/// The directory, beside the report files, that holds the plots.
pub const PLOT_DIR: &str = "plots";

/// One piece of a section's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// A table: a header row and rows of cells.
    Table {
        /// Column titles.
        header: Vec<String>,
        /// The rows; each has as many cells as the header.
        rows: Vec<Vec<String>>,
    },
    /// Preformatted text (program output, a matrix), shown as it is.
    Preformatted(String),
    /// A plot: written to `plots/<file>` and embedded in the HTML page.
    Plot {
        /// File name under [`PLOT_DIR`] (a plain name ending in `.svg`).
        file: String,
        /// The caption (and the image's alternative text).
        caption: String,
        /// The SVG document.
        svg: String,
    },
}

impl Block {
    /// A paragraph.
    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::Paragraph(text.into())
    }

    /// A table from any rows of displayable cells.
    pub fn table<H, R, C>(header: H, rows: impl IntoIterator<Item = R>) -> Block
    where
        H: IntoIterator,
        H::Item: ToString,
        R: IntoIterator<Item = C>,
        C: ToString,
    {
        Block::Table {
            header: header.into_iter().map(|h| h.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    /// Preformatted text.
    pub fn preformatted(text: impl Into<String>) -> Block {
        Block::Preformatted(text.into())
    }

    /// A plot.
    pub fn plot(file: impl Into<String>, caption: impl Into<String>, svg: String) -> Block {
        Block::Plot {
            file: file.into(),
            caption: caption.into(),
            svg,
        }
    }
}

/// A section: one part of the run, with the command that reproduces it on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// A short identifier (the HTML anchor), e.g. `wells`.
    pub id: String,
    /// The heading.
    pub title: String,
    /// The shell command that reproduces this part.
    pub command: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section.
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        command: impl Into<String>,
    ) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            command: command.into(),
            blocks: Vec::new(),
        }
    }

    /// Appends a block.
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

/// A whole report.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Report {
    /// The page title.
    pub title: String,
    /// Blocks before the first section.
    pub intro: Vec<Block>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Report {
    /// An empty report.
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            ..Report::default()
        }
    }

    fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.intro
            .iter()
            .chain(self.sections.iter().flat_map(|s| &s.blocks))
    }

    /// Checks that plot names are plain, distinct `.svg` file names and that tables are rectangular.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut files: Vec<&str> = Vec::new();
        for block in self.blocks() {
            match block {
                Block::Plot { file, .. } => {
                    let plain = !file.is_empty()
                        && file.ends_with(".svg")
                        && !file.starts_with('.')
                        && file
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                    if !plain {
                        bail!("plot file name {file:?} must be a plain name ending in .svg");
                    }
                    if files.contains(&file.as_str()) {
                        bail!("two plots are named {file:?}");
                    }
                    files.push(file);
                }
                Block::Table { header, rows } => {
                    if let Some(row) = rows.iter().find(|r| r.len() != header.len()) {
                        bail!(
                            "a table row has {} cells but the header has {}: {row:?}",
                            row.len(),
                            header.len()
                        );
                    }
                }
                Block::Paragraph(_) | Block::Preformatted(_) => {}
            }
        }
        Ok(())
    }

    /// The Markdown form; plots are linked as `plots/<file>`.
    pub fn to_markdown(&self) -> String {
        let mut md = format!("# {}\n\n", self.title);
        if !self.sections.is_empty() {
            for s in &self.sections {
                let _ = writeln!(md, "- [{}](#{})", s.title, s.id);
            }
            md.push('\n');
        }
        for block in &self.intro {
            markdown_block(&mut md, block);
        }
        for s in &self.sections {
            let _ = write!(
                md,
                "<a id=\"{}\"></a>\n\n## {}\n\nReproduce:\n\n```sh\n{}\n```\n\n",
                s.id, s.title, s.command
            );
            for block in &s.blocks {
                markdown_block(&mut md, block);
            }
        }
        md
    }

    /// The HTML form: one self-contained page with every plot inline.
    pub fn to_html(&self) -> String {
        let mut html = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n",
        );
        let _ = writeln!(html, "<title>{}</title>", escape(&self.title));
        html.push_str(STYLE);
        let _ = writeln!(html, "</head>\n<body>\n<h1>{}</h1>", escape(&self.title));
        if !self.sections.is_empty() {
            html.push_str("<nav><ul>\n");
            for s in &self.sections {
                let _ = writeln!(
                    html,
                    "<li><a href=\"#{}\">{}</a></li>",
                    escape(&s.id),
                    escape(&s.title)
                );
            }
            html.push_str("</ul></nav>\n");
        }
        for block in &self.intro {
            html_block(&mut html, block);
        }
        for s in &self.sections {
            let _ = writeln!(
                html,
                "<section id=\"{}\">\n<h2>{}</h2>\n<p class=\"cmd\">Reproduce: <code>{}</code></p>",
                escape(&s.id),
                escape(&s.title),
                escape(&s.command)
            );
            for block in &s.blocks {
                html_block(&mut html, block);
            }
            html.push_str("</section>\n");
        }
        html.push_str("</body>\n</html>\n");
        html
    }

    /// Writes `report.md`, `report.html` and `plots/*.svg` into `dir`, each file atomically (plots first, so the
    /// Markdown never links to a missing plot).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        self.validate()?;
        for block in self.blocks() {
            if let Block::Plot { file, svg, .. } = block {
                crate::write_atomic(&dir.join(PLOT_DIR).join(file), |w| {
                    Ok(w.write_all(svg.as_bytes())?)
                })?;
            }
        }
        let markdown = self.to_markdown();
        crate::write_atomic(&dir.join("report.md"), |w| {
            Ok(w.write_all(markdown.as_bytes())?)
        })?;
        let html = self.to_html();
        crate::write_atomic(&dir.join("report.html"), |w| {
            Ok(w.write_all(html.as_bytes())?)
        })
    }
}

const STYLE: &str = "<style>\nbody{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;\
line-height:1.45}\ntable{border-collapse:collapse;margin:0.5em 0 1em}\ntd,th{border:1px solid #ccc;\
padding:2px 8px;text-align:left}\npre{background:#f5f5f5;padding:0.6em;overflow-x:auto}\n\
figure{margin:1em 0}\nfigure svg{max-width:100%;height:auto}\n.cmd code{background:#eef;padding:2px 4px}\n\
</style>\n";

/// A Markdown table cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn markdown_block(md: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = write!(md, "{text}\n\n");
        }
        Block::Table { header, rows } => {
            let head: Vec<String> = header.iter().map(|h| cell(h)).collect();
            let _ = writeln!(md, "| {} |", head.join(" | "));
            let _ = writeln!(md, "|{}", " --- |".repeat(header.len()));
            for row in rows {
                let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                let _ = writeln!(md, "| {} |", cells.join(" | "));
            }
            md.push('\n');
        }
        Block::Preformatted(text) => {
            // A fence longer than any backtick run inside keeps the text intact.
            let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            let _ = write!(
                md,
                "{fence}text\n{}\n{fence}\n\n",
                text.trim_end_matches('\n')
            );
        }
        Block::Plot { file, caption, .. } => {
            let _ = write!(
                md,
                "![{}]({PLOT_DIR}/{file})\n\n*{caption}*\n\n",
                cell(caption)
            );
        }
    }
}

fn html_block(html: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => {
            let _ = writeln!(html, "<p>{}</p>", escape(text));
        }
        Block::Table { header, rows } => {
            html.push_str("<table>\n<tr>");
            for h in header {
                let _ = write!(html, "<th>{}</th>", escape(h));
            }
            html.push_str("</tr>\n");
            for row in rows {
                html.push_str("<tr>");
                for c in row {
                    let _ = write!(html, "<td>{}</td>", escape(c));
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</table>\n");
        }
        Block::Preformatted(text) => {
            let _ = writeln!(html, "<pre>{}</pre>", escape(text.trim_end_matches('\n')));
        }
        Block::Plot { caption, svg, .. } => {
            let _ = writeln!(
                html,
                "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                strip_xml_declaration(svg),
                escape(caption)
            );
        }
    }
}

/// An SVG document without a leading `<?xml …?>` declaration, which may not appear inside an HTML page.
fn strip_xml_declaration(svg: &str) -> &str {
    let trimmed = svg.trim_start();
    match trimmed
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|end| &rest[end + 2..]))
    {
        Some(rest) => rest.trim_start(),
        None => trimmed,
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{Figure, loss_curves};

    fn sample() -> Report {
        let svg = Figure::single(loss_curves("loss", &[1.0, 0.5], None))
            .render_svg()
            .unwrap();
        let mut section = Section::new("a", "Part <A> & co", "cargo run -p a -- --x 'y'");
        section.push(Block::paragraph("1 < 2 & 3 > 2"));
        section.push(Block::table(["k", "v|w"], [["a|b", "1"]]));
        section.push(Block::preformatted("has ``` inside"));
        section.push(Block::plot("a-loss.svg", "the loss", svg));
        let mut report = Report::new("T");
        report.intro.push(Block::paragraph("intro"));
        report.sections.push(section);
        report
    }

    #[test]
    fn the_html_page_is_well_formed_and_embeds_the_plot() {
        let html = sample().to_html();
        // The body parses as XML (the doctype aside), so every tag is closed and every text escaped.
        let body = html.trim_start_matches("<!DOCTYPE html>\n");
        let doc = roxmltree::Document::parse(body).unwrap();
        let svgs = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "svg")
            .count();
        assert_eq!(svgs, 1);
        assert!(html.contains("Part &lt;A&gt; &amp; co"));
        assert!(html.contains("1 &lt; 2 &amp; 3 &gt; 2"));
        assert!(!html.contains("<?xml"));
    }

    #[test]
    fn markdown_links_plots_escapes_cells_and_keeps_fences_intact() {
        let md = sample().to_markdown();
        assert!(md.contains("![the loss](plots/a-loss.svg)"), "{md}");
        assert!(md.contains("| a\\|b | 1 |"), "{md}");
        assert!(md.contains("````text\nhas ``` inside\n````"), "{md}");
        assert!(md.contains("```sh\ncargo run -p a -- --x 'y'\n```"), "{md}");
        assert!(md.contains("- [Part <A> & co](#a)"), "{md}");
    }

    #[test]
    fn write_puts_the_plots_beside_the_reports() {
        let dir = tempfile::tempdir().unwrap();
        sample().write(dir.path()).unwrap();
        for name in ["report.md", "report.html", "plots/a-loss.svg"] {
            assert!(dir.path().join(name).is_file(), "{name} missing");
        }
    }

    #[test]
    fn bad_plot_names_and_ragged_tables_are_refused() {
        let mut report = sample();
        report.sections[0].push(Block::plot("../x.svg", "c", String::new()));
        assert!(
            report
                .validate()
                .unwrap_err()
                .to_string()
                .contains("../x.svg")
        );
        let mut report = sample();
        report.sections[0].push(Block::plot("a-loss.svg", "again", String::new()));
        assert!(
            report
                .validate()
                .unwrap_err()
                .to_string()
                .contains("two plots")
        );
        let mut report = sample();
        report.sections[0].push(Block::Table {
            header: vec!["a".into()],
            rows: vec![vec!["1".into(), "2".into()]],
        });
        assert!(
            report
                .validate()
                .unwrap_err()
                .to_string()
                .contains("2 cells")
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(report.write(dir.path()).is_err());
        assert!(!dir.path().join("report.md").exists());
    }
}
