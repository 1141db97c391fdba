package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
)

func migrateCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("migrate", "Apply the schema migrations embedded in this binary that the store lacks.", stderr)
	c.dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate: unexpected arguments %q", fs.Args())
	}
	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "%s store %s is up to date\n", s.Dialect(), redact(c.DB))
	return nil
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
