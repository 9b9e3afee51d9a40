//! Standalone documents (kind `document`): plain text, HTML, CSV, PDF, DOCX, ODT.
