"""base: what every stage stands on: problems as data (model, the problem catalogue), reading and writing
spreadsheets and CSV safely (sheetio, tomlfile), the workspace's folders and lock, and the layout contract
between the workbook split writes and the one intake reads."""
