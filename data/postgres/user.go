package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridplan/territory"
)

const userColumns = `id, username, display_name, password_hash, role, manager_id, created_at`

func scanUser(row pgx.Row) (*territory.User, error) {
	var u territory.User
	var managerID *int64
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &managerID, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.ManagerID = idOrZero(managerID)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// CreateUser validates u, stores it and sets u.ID and u.CreatedAt when
// zero. A taken username is a ConflictError.
func (s *Store) CreateUser(ctx context.Context, u *territory.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	created := stampOr(u.CreatedAt, now())
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, role, manager_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, string(u.Role), nullID(u.ManagerID), created).Scan(&id)
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, translate(err))
	}
	u.ID, u.CreatedAt = id, created
	return nil
}

// User returns user id.
func (s *Store) User(ctx context.Context, id int64) (*territory.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "user", id)
	}
	return u, nil
}

// UserByUsername returns the user with that username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*territory.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &territory.NotFoundError{Kind: "user", Key: fmt.Sprintf("%q", username)}
	}
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, translate(err))
	}
	return u, nil
}

// Users returns every user, by id.
func (s *Store) Users(ctx context.Context) ([]*territory.User, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", translate(err))
	}
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("users: %w", translate(err))
	}
	return us, nil
}

// UpdateUser validates u and replaces user u.ID; CreatedAt keeps its
// stored value.
func (s *Store) UpdateUser(ctx context.Context, u *territory.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	var created time.Time
	err := s.db.QueryRow(ctx, `UPDATE users SET username = $2, display_name = $3, password_hash = $4, role = $5,
			manager_id = $6
		WHERE id = $1 RETURNING created_at`,
		u.ID, u.Username, u.DisplayName, u.PasswordHash, string(u.Role), nullID(u.ManagerID)).Scan(&created)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, notFound(err, "user", u.ID))
	}
	u.CreatedAt = created.UTC()
	return nil
}

// DeleteUser deletes user id and its sessions.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, translateDelete(err, "user", id))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("user", id)
	}
	return nil
}

// sessionNotFound does not quote the token hash, because error messages end
// up in logs.
func sessionNotFound() error {
	return fmt.Errorf("unknown or expired session: %w", territory.ErrNotFound)
}

// CreateSession stores s (TokenHash and UserID required) and sets
// CreatedAt when zero.
func (s *Store) CreateSession(ctx context.Context, ss *territory.Session) error {
	switch {
	case ss.TokenHash == "":
		return territory.Invalid("token_hash", "is required")
	case ss.UserID <= 0:
		return territory.Invalid("user_id", "must be a positive id, got %d", ss.UserID)
	case ss.ExpiresAt.IsZero():
		return territory.Invalid("expires_at", "is required")
	}
	created := stampOr(ss.CreatedAt, now())
	expires := stamp(ss.ExpiresAt)
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		ss.TokenHash, ss.UserID, created, expires)
	if err != nil {
		return fmt.Errorf("create session of user %d: %w", ss.UserID, translate(err))
	}
	ss.CreatedAt, ss.ExpiresAt = created, expires
	return nil
}

// Session returns the session with that token hash unless it has expired
// (at ≥ ExpiresAt); unknown and expired sessions are ErrNotFound.
func (s *Store) Session(ctx context.Context, tokenHash string, at time.Time) (*territory.Session, error) {
	ss := territory.Session{TokenHash: tokenHash}
	err := s.db.QueryRow(ctx, `SELECT user_id, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, at).Scan(&ss.UserID, &ss.CreatedAt, &ss.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sessionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", translate(err))
	}
	ss.CreatedAt, ss.ExpiresAt = ss.CreatedAt.UTC(), ss.ExpiresAt.UTC()
	return &ss, nil
}

// DeleteSession deletes the session with that token hash (logout).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	if err != nil {
		return fmt.Errorf("delete session: %w", translate(err))
	}
	if tag.RowsAffected() == 0 {
		return sessionNotFound()
	}
	return nil
}

// DeleteExpiredSessions deletes the sessions expired at at and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, at)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", translate(err))
	}
	return int(tag.RowsAffected()), nil
}
