package main

// FerretDB v1.24's SQLite backend pushes a filter on `_id` alone down as
// `WHERE _ferretdb_sjson->'$._id' = ?`, but the unique index it creates for
// `_id` is on the expression `_ferretdb_sjson->"_id"`. SQLite only uses an
// expression index for the very same expression, so every lookup by `_id`
// scans the whole table (a quarter of a second at 100,000 documents).
//
// keepIDIndexes gives every collection table an index on the expression the
// queries use, so lookups by `_id` cost what they cost on MongoDB: it looks
// for tables without one at start and then every interval, as collections
// come and go. Writers wait for the short DDL through FerretDB's own
// busy_timeout. The index is not unique: FerretDB's own index keeps `_id`
// unique and names the duplicate-key errors clients rely on.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

const idIndexSuffix = "_ferretdb_id_path"

func keepIDIndexes(ctx context.Context, dataDir string, interval time.Duration, logger *slog.Logger) {
	dbs := map[string]*sql.DB{}
	defer func() {
		for _, db := range dbs {
			db.Close()
		}
	}()

	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		files, _ := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
		for _, file := range files {
			db := dbs[file]
			if db == nil {
				var err error
				uri := "file:" + file + "?_pragma=busy_timeout(10000)"
				if db, err = sql.Open("sqlite", uri); err != nil {
					logger.Warn("cannot open database", "file", file, "error", err)
					continue
				}
				db.SetMaxOpenConns(1)
				dbs[file] = db
			}
			if err := indexTables(ctx, db); err != nil && ctx.Err() == nil {
				// A database dropped meanwhile: forget its handle.
				logger.Debug("id index pass failed", "file", file, "error", err)
				db.Close()
				delete(dbs, file)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// indexTables creates the missing `_id` path indexes of one database.
func indexTables(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master i
			WHERE i.type = 'index' AND i.tbl_name = t.name AND i.name = t.name || ?)`,
		idIndexSuffix)
	if err != nil {
		return err
	}

	var tables []string
	for rows.Next() {
		var name string
		if err = rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return err
	}

	for _, table := range tables {
		quoted := strings.ReplaceAll(table, `"`, `""`)
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s%s" ON "%s" (_ferretdb_sjson->'$._id')`,
			quoted, idIndexSuffix, quoted)
		if _, err = db.ExecContext(ctx, q); err != nil {
			return err
		}
	}

	return nil
}
