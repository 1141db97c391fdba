package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridplan/territory"
)

const userCols = "id, username, display_name, password_hash, role, manager_id, created_at"

func scanUser(row interface{ Scan(...any) error }) (*territory.User, error) {
	var u territory.User
	var mgr sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &mgr, &created); err != nil {
		return nil, err
	}
	u.ManagerID, u.CreatedAt = mgr.Int64, fromMicros(created)
	return &u, nil
}

func checkUserManager(ctx context.Context, q querier, u *territory.User) error {
	if u.ManagerID == 0 {
		return nil
	}
	return checkManager(ctx, q, u.ManagerID, func(id int64) error {
		return territory.Invalid("manager_id", "manager %d does not exist", id)
	})
}

// CreateUser validates u, stores it and sets u.ID (and CreatedAt when zero).
func (s *Store) CreateUser(ctx context.Context, u *territory.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkUserManager(ctx, q, u); err != nil {
			return err
		}
		created := u.CreatedAt
		stamp(&created, s.now())
		res, err := q.ExecContext(ctx, `INSERT INTO users (username, display_name, password_hash, role, manager_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, u.Username, u.DisplayName, u.PasswordHash, u.Role, nullID(u.ManagerID), micros(created))
		if isUnique(err) {
			return conflict("username %q already exists", u.Username)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create user %q: %w", u.Username, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		u.ID, u.CreatedAt = id, created
		return nil
	})
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*territory.User, error) {
	u, err := scanUser(s.read().QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("user", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %d: %w", id, err)
	}
	return u, nil
}

// UserByUsername returns the user called username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*territory.User, error) {
	u, err := scanUser(s.read().QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE username = ?", username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &territory.NotFoundError{Kind: "user", Key: username}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %q: %w", username, err)
	}
	return u, nil
}

// Users returns every user by id.
func (s *Store) Users(ctx context.Context) ([]*territory.User, error) {
	rows, err := s.read().QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: users: %w", err)
	}
	return collect(rows, scanUser)
}

// UpdateUser validates and overwrites user u.ID; CreatedAt stays as stored.
func (s *Store) UpdateUser(ctx context.Context, u *territory.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkUserManager(ctx, q, u); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE users SET username = ?, display_name = ?, password_hash = ?, role = ?, manager_id = ?
			WHERE id = ?`, u.Username, u.DisplayName, u.PasswordHash, u.Role, nullID(u.ManagerID), u.ID)
		if isUnique(err) {
			return conflict("username %q already exists", u.Username)
		}
		return affected(res, err, "user", u.ID)
	})
}

// DeleteUser deletes user id and its sessions.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
		return affected(res, err, "user", id)
	})
}

// CreateSession stores s (CreatedAt set when zero).
func (s *Store) CreateSession(ctx context.Context, sess *territory.Session) error {
	switch {
	case sess.TokenHash == "":
		return territory.Invalid("token_hash", "is required")
	case sess.UserID <= 0:
		return territory.Invalid("user_id", "must be a positive id, got %d", sess.UserID)
	case sess.ExpiresAt.IsZero():
		return territory.Invalid("expires_at", "is required")
	}
	return s.write(ctx, func(q querier) error {
		ok, err := exists(ctx, q, "users", sess.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return territory.Invalid("user_id", "user %d does not exist", sess.UserID)
		}
		created := sess.CreatedAt
		stamp(&created, s.now())
		expires := exact(sess.ExpiresAt)
		_, err = q.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			sess.TokenHash, sess.UserID, micros(created), micros(expires))
		if isUnique(err) {
			return conflict("session token already exists")
		}
		if err != nil {
			return fmt.Errorf("sqlite: create session of user %d: %w", sess.UserID, err)
		}
		sess.CreatedAt, sess.ExpiresAt = created, expires
		return nil
	})
}

// Session returns the session with tokenHash unless it expired by now.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (*territory.Session, error) {
	var sess territory.Session
	var created, expires int64
	err := s.read().QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, micros(now)).Scan(&sess.TokenHash, &sess.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &territory.NotFoundError{Kind: "session", Key: "(token)"}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &sess, nil
}

// DeleteSession deletes the session with tokenHash.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		if err != nil {
			return fmt.Errorf("sqlite: delete session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return fmt.Errorf("sqlite: delete session: %w", err)
			}
			return &territory.NotFoundError{Kind: "session", Key: "(token)"}
		}
		return nil
	})
}

// DeleteExpiredSessions deletes the sessions expired by now and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", micros(now))
		if err != nil {
			return fmt.Errorf("sqlite: delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
