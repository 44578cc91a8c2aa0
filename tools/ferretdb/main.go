// Command ceilometer-proxy-ferretdb runs FerretDB (SQLite backend) as the
// MongoDB-wire store for ceilometer-proxy's tests and quick start.
//
// It wraps FerretDB's embeddable package rather than its own command so that
// it builds with a plain `go install` from the module proxy (the upstream
// command expects version files produced by its release tooling).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "data", "directory holding the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// WAL with synchronous=NORMAL cannot corrupt the database; a power cut
	// may lose the last transactions, which suits tests and quick starts.
	pragmas := flag.String("sqlite-params", "_pragma=synchronous(normal)",
		"query parameters added to the SQLite URI (e.g. SQLite pragmas)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "bad -log-level: %s\n", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad -data-dir: %s\n", err)
		os.Exit(2)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		fmt.Fprintf(os.Stderr, "cannot create %s: %s\n", abs, err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?" + *pragmas,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot start FerretDB: %s\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go keepIDIndexes(ctx, abs, time.Second, logger)

	// The listening line is what start-up scripts wait for.
	fmt.Fprintf(os.Stderr, "ferretdb listening on %s, data in %s\n", *listen, abs)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "FerretDB stopped: %s\n", err)
		os.Exit(1)
	}
}
