//! The parts of a staff workbook's package around its worksheets: content types, relationships,
//! document properties, the workbook part (sheets and their filters), the styles and the theme,
//! and the zip archive that holds them. Written as rust_xlsxwriter 0.102 wrote them (the reference
//! workbooks in `crates/store/tests/xlsx_reference/`).

use std::fmt::Write as _;

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// Office's default theme, which the styles' colours refer to.
pub(super) const THEME: &[u8] = include_bytes!("theme1.xml");

/// The zip options of every part: deflated at `level`, the zip format's earliest date (so the
/// same table gives the same file), readable by the owner only.
pub(super) fn zip_options(level: u8) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(i64::from(level)))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default())
        .large_file(false)
}

/// `[Content_Types].xml` of a workbook with `sheets` worksheets and a shared strings part.
pub(super) fn content_types(sheets: usize) -> String {
    let mut s = format!(
        "{DECLARATION}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    );
    for n in 1..=sheets {
        let _ = write!(
            s,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    s.push_str(
        "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>",
    );
    s
}

/// `_rels/.rels`: the workbook and the two property parts.
pub(super) fn package_rels() -> String {
    format!(
        "{DECLARATION}<Relationships xmlns=\"{PACKAGE_REL_NS}\">\
         <Relationship Id=\"rId1\" Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"{PACKAGE_REL_NS}/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"{REL_NS}/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
    )
}

/// `xl/_rels/workbook.xml.rels`: the worksheets, then theme, styles and shared strings.
pub(super) fn workbook_rels(sheets: usize) -> String {
    let mut s = format!("{DECLARATION}<Relationships xmlns=\"{PACKAGE_REL_NS}\">");
    for n in 1..=sheets {
        let _ = write!(
            s,
            "<Relationship Id=\"rId{n}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    let _ = write!(
        s,
        "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/theme\" Target=\"theme/theme1.xml\"/>\
         <Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rId{}\" Type=\"{REL_NS}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>",
        sheets + 1,
        sheets + 2,
        sheets + 3
    );
    s
}

/// `docProps/core.xml`: author leerwinst, a fixed date (the same table gives the same file).
pub(super) fn core_properties() -> String {
    format!(
        "{DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:creator>leerwinst</dc:creator><cp:lastModifiedBy>leerwinst</cp:lastModifiedBy>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>"
    )
}

/// `docProps/app.xml`: the sheets' names.
pub(super) fn app_properties(names: &[String]) -> String {
    let n = names.len();
    let mut s = format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
         <HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>\
         <vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"{n}\" baseType=\"lpstr\">"
    );
    for name in names {
        let _ = write!(
            s,
            "<vt:lpstr>{}</vt:lpstr>",
            super::cells::escape_text(name)
        );
    }
    s.push_str(
        "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>\
         <SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>",
    );
    s
}

/// `xl/workbook.xml`: the sheets by name, and each data sheet's filter range (sheet index,
/// absolute range) as Excel's hidden `_FilterDatabase` name, sorted as Excel sorts them.
pub(super) fn workbook(names: &[String], filters: &[(usize, String)]) -> String {
    let mut s = format!(
        "{DECLARATION}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">\
         <fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
         <workbookPr defaultThemeVersion=\"124226\"/><bookViews>\
         <workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>"
    );
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            s,
            "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
            super::cells::escape_text(name),
            n = i + 1
        );
    }
    s.push_str("</sheets>");
    if !filters.is_empty() {
        let mut names: Vec<(String, usize)> = filters
            .iter()
            .map(|(sheet, range)| (format!("{}!{range}", quote_sheet(&names[*sheet])), *sheet))
            .collect();
        names.sort();
        s.push_str("<definedNames>");
        for (range, sheet) in names {
            let _ = write!(
                s,
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{sheet}\" hidden=\"1\">{}</definedName>",
                super::cells::escape_text(&range)
            );
        }
        s.push_str("</definedNames>");
    }
    s.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    s
}

/// A sheet's name as a formula names it: quoted unless it is letters, `_` and `.` only (the names
/// here: `gegevens` plain, `gegevens (2)` quoted; quoting a name that needs none is also valid).
fn quote_sheet(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_alphabetic() || c == '_' || c == '.')
        && !name.starts_with('.');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// `xl/styles.xml`: the normal style (0), the header's (1: bold, a thin line below), then one
/// style per number format in `formats`, in the order the cells first used them (2, 3).
pub(super) fn styles(formats: &[&str]) -> String {
    let mut s = format!("{DECLARATION}<styleSheet xmlns=\"{MAIN_NS}\">");
    if !formats.is_empty() {
        let _ = write!(s, "<numFmts count=\"{}\">", formats.len());
        for (i, f) in formats.iter().enumerate() {
            let _ = write!(
                s,
                "<numFmt numFmtId=\"{}\" formatCode=\"{}\"/>",
                164 + i,
                super::cells::escape_text(f)
            );
        }
        s.push_str("</numFmts>");
    }
    let font = "<sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/>";
    let _ = write!(
        s,
        "<fonts count=\"2\"><font>{font}</font><font><b/>{font}</font></fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>\
         <border><left/><right/><top/><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
         <cellXfs count=\"{}\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
         <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\"/>",
        2 + formats.len()
    );
    for i in 0..formats.len() {
        let _ = write!(
            s,
            "<xf numFmtId=\"{}\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
            164 + i
        );
    }
    s.push_str(
        "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         <dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>",
    );
    s
}

/// A worksheet's opening up to its rows: the cells' extent (`dimension`), whether it is the
/// sheet shown when the workbook opens, the header row frozen, the columns' widths (in Excel's
/// character units).
pub(super) fn worksheet_head(dimension: &str, selected: bool, widths: &[f64]) -> String {
    let tab = if selected { " tabSelected=\"1\"" } else { "" };
    let mut s = format!(
        "{DECLARATION}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><dimension ref=\"{dimension}\"/>\
         <sheetViews><sheetView{tab} workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
         <selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
    );
    s.push_str(&columns(widths));
    s.push_str("<sheetData>");
    s
}

/// A worksheet's end after its rows: the filter over `filter` (a range), if any.
pub(super) fn worksheet_foot(filter: Option<&str>) -> String {
    let mut s = String::from("</sheetData>");
    if let Some(range) = filter {
        let _ = write!(s, "<autoFilter ref=\"{range}\"/>");
    }
    s.push_str("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>");
    s
}

/// The `<cols>` element: each run of neighbouring columns of one width as one `<col>`. A width
/// `w` (characters) is `round(7w) + 5` pixels, stored as characters in 1/256ths (Calibri 11's
/// digit is 7 pixels wide, a cell's padding 5).
fn columns(widths: &[f64]) -> String {
    let pixels: Vec<u32> = widths.iter().map(|&w| pixels_of(w)).collect();
    let mut s = String::from("<cols>");
    let mut first = 0;
    while first < pixels.len() {
        let mut last = first;
        while last + 1 < pixels.len() && pixels[last + 1] == pixels[first] {
            last += 1;
        }
        let chars = f64::from(pixels[first] * 256 / 7) / 256.0;
        let custom = if pixels[first] != 64 {
            " customWidth=\"1\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<col min=\"{}\" max=\"{}\" width=\"{chars}\"{custom}/>",
            first + 1,
            last + 1
        );
        first = last + 1;
    }
    s.push_str("</cols>");
    s
}

fn pixels_of(width: f64) -> u32 {
    // Excel's widest column: 255 characters.
    let px = if width == 0.0 {
        0
    } else if width < 1.0 {
        (width * 12.0).round() as u32
    } else {
        (width * 7.0).round() as u32 + 5
    };
    px.min(1790)
}

/// The texts of a sheet written with shared strings (the columns sheet): each distinct text once,
/// in the order first used; `count` cells in all.
#[derive(Default)]
pub(super) struct SharedStrings {
    texts: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    count: usize,
}

impl SharedStrings {
    /// The index of `text`, added when new.
    pub(super) fn index(&mut self, text: &str) -> usize {
        self.count += 1;
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        self.texts.push(text.to_string());
        self.index.insert(text.to_string(), self.texts.len() - 1);
        self.texts.len() - 1
    }

    /// `xl/sharedStrings.xml`.
    pub(super) fn part(&self) -> String {
        let mut s = format!(
            "{DECLARATION}<sst xmlns=\"{MAIN_NS}\" count=\"{}\" uniqueCount=\"{}\">",
            self.count,
            self.texts.len()
        );
        for t in &self.texts {
            let preserve = if super::cells::needs_preserve(t) {
                " xml:space=\"preserve\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "<si><t{preserve}>{}</t></si>",
                super::cells::escape_text(t)
            );
        }
        s.push_str("</sst>");
        s
    }
}
