//! The bundled fonts, so every character the UI shows renders the same on every
//! workstation and in headless tests: the CJK font (Droid Sans Fallback, Apache-2.0, see
//! `assets/fonts/DroidSansFallback-COPYRIGHT`) and a symbols subset of DejaVu Sans
//! (arrows such as `→`, see `assets/fonts/SymbolsSubset-COPYRIGHT`), both behind egui's
//! own fonts. A test checks every character of the UI's strings against them.

/// The CJK font file, compiled in.
pub const CJK_FONT: &[u8] = include_bytes!("../assets/fonts/DroidSansFallbackFull.ttf");

/// The symbols font file (arrows, punctuation, math and geometric shapes), compiled in.
pub const SYMBOLS_FONT: &[u8] = include_bytes!("../assets/fonts/SymbolsSubset.ttf");

/// Adds the CJK and symbols fonts behind egui's own fonts for both families.
pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    for (name, data) in [
        ("droid_sans_fallback", CJK_FONT),
        ("pharmacrm_symbols", SYMBOLS_FONT),
    ] {
        fonts.font_data.insert(
            name.to_owned(),
            std::sync::Arc::new(egui::FontData::from_static(data)),
        );
        for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .push(name.to_owned());
        }
    }
    ctx.set_fonts(fonts);
}

/// [`install`] on the first frame only, for UI unit tests drawing Chinese text (as the
/// app installs the fonts when it starts).
#[cfg(test)]
pub fn install_once(ctx: &egui::Context) {
    let installed = egui::Id::unique("pharmacrm_fonts_installed");
    if !ctx.data(|d| d.get_temp::<bool>(installed).unwrap_or(false)) {
        install(ctx);
        ctx.data_mut(|d| d.insert_temp(installed, true));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every character of the client's own strings (the translation tables, the literals
    /// in its code) and of the server's messages it displays.
    fn characters_the_ui_can_show() -> BTreeSet<char> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src"), root.join("../server/src/messages")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml" || e == "rs") {
                    files.push(path);
                }
            }
        }
        // Printable ASCII: user input and numbers.
        let mut chars: BTreeSet<char> = (' '..='~').collect();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let is_rust = path.extension().is_some_and(|e| e == "rs");
            for line in text.lines() {
                let line = line.trim_start();
                // Comments are never shown.
                if is_rust && (line.starts_with("//") || line.starts_with("#[")) {
                    continue;
                }
                let shown = if is_rust {
                    line.split_once("//").map_or(line, |(code, _)| code)
                } else {
                    line
                };
                chars.extend(shown.chars().filter(|c| !c.is_control()));
            }
        }
        chars
    }

    #[test]
    fn every_character_of_the_ui_strings_is_in_the_bundled_fonts() {
        let ctx = egui::Context::default();
        super::install(&ctx);
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .textures_delta
            .clear();
        let missing: String = ctx.fonts_mut(|fonts| {
            characters_the_ui_can_show()
                .into_iter()
                .filter(|&c| !fonts.has_glyph(&egui::FontId::proportional(14.0), c))
                .collect()
        });
        // Glyphs found above were rasterised; drop the texture updates.
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .textures_delta
            .clear();
        assert!(missing.is_empty(), "no glyph for: {missing:?}");
    }
}
