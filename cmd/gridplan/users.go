package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gridplan/data"
	"gridplan/territory"
)

const usersUsage = `Usage: gridplan users <add|list> [flags]

  add    create a login
  list   list logins
`

func usersCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usersUsage)
		return errors.New("users: no subcommand given")
	}
	switch args[0] {
	case "add":
		return usersAdd(ctx, args[1:], e, stdin, stdout, stderr)
	case "list":
		return usersList(ctx, args[1:], e, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usersUsage)
		return nil
	default:
		fmt.Fprint(stderr, usersUsage)
		return fmt.Errorf("users: unknown subcommand %q", args[0])
	}
}

func usersAdd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	var c Config
	var u territory.User
	var role, manager, password string
	fs := newFlagSet("users add", "Create a login. The password comes from --password, else GRIDPLAN_PASSWORD,\nelse the first line of standard input.", stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&u.Username, "username", "", "login name (required)")
	fs.StringVar(&u.DisplayName, "display-name", "", "name shown in the app")
	fs.StringVar(&role, "role", "", "admin, planner, leader or manager (required)")
	fs.StringVar(&manager, "manager", "", "for role manager: the manager's code (m001) or id")
	fs.StringVar(&password, "password", "", "password (prefer GRIDPLAN_PASSWORD or stdin: flags show in ps)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("users add: unexpected arguments %q", fs.Args())
	}
	u.Role = territory.Role(role)
	if password == "" {
		password = e.str("GRIDPLAN_PASSWORD", "")
	}
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if len(password) < territory.MinPasswordLen {
		return fmt.Errorf("password: must be at least %d characters", territory.MinPasswordLen)
	}
	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	if manager != "" {
		if u.ManagerID, err = findManager(ctx, s, manager); err != nil {
			return err
		}
	}
	if u.PasswordHash, err = territory.HashPassword(password); err != nil {
		return err
	}
	if err := s.CreateUser(ctx, &u); err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	fmt.Fprintf(stdout, "user %s (%s) created with id %d\n", u.Username, u.Role, u.ID)
	return nil
}

// findManager resolves a manager given by id or by code.
func findManager(ctx context.Context, s data.Store, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		m, err := s.Manager(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("--manager %s: %w", ref, err)
		}
		return m.ID, nil
	}
	var after int64
	for {
		ms, err := s.Managers(ctx, territory.ManagerFilter{AfterID: after, Limit: 1000})
		if err != nil {
			return 0, fmt.Errorf("--manager %s: %w", ref, err)
		}
		for _, m := range ms {
			if m.Code == ref {
				return m.ID, nil
			}
		}
		if len(ms) < 1000 {
			return 0, fmt.Errorf("--manager %s: no manager has that code or id", ref)
		}
		after = ms[len(ms)-1].ID
	}
}

func usersList(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("users list", "List logins.", stderr)
	c.dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	us, err := s.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tMANAGER\tCREATED")
	for _, u := range us {
		mgr := ""
		if u.ManagerID != 0 {
			mgr = strconv.FormatInt(u.ManagerID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, mgr, u.CreatedAt.Format(time.DateTime))
	}
	return tw.Flush()
}
