package territory

import (
	"context"
	"errors"
	"regexp"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin   Role = "admin"   // manages users; may do everything
	RolePlanner Role = "planner" // reads everything, edits grids
	RoleLeader  Role = "leader"  // reads everything
	RoleManager Role = "manager" // a customer manager: his own customers only
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RolePlanner, RoleLeader, RoleManager}

// User is a login. A user with RoleManager is linked to a Manager.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name,omitempty"`
	PasswordHash string    `json:"-"`
	Role         Role      `json:"role"`
	ManagerID    int64     `json:"manager_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	switch {
	case !usernameRE.MatchString(u.Username):
		return Invalid("username", "must be 2–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	case !oneOf(u.Role, Roles):
		return Invalid("role", "unknown role %q (want admin, planner, leader or manager)", u.Role)
	case u.Role == RoleManager && u.ManagerID <= 0:
		return Invalid("manager_id", "a manager login must be linked to a manager")
	case u.Role != RoleManager && u.ManagerID != 0:
		return Invalid("manager_id", "only manager logins are linked to a manager")
	case u.PasswordHash == "":
		return Invalid("password", "is required")
	}
	return nil
}

// MinPasswordLen is the shortest password accepted for new accounts outside
// demo mode.
const MinPasswordLen = 8

// HashPassword hashes a password with bcrypt at its default cost.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", Invalid("password", "is required")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", Invalid("password", "is longer than 72 bytes")
	}
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// UserStore persists users. Usernames are unique (ErrConflict).
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error
	DeleteUser(ctx context.Context, id int64) error
}

// Session is a login session. Only a hash of the session token is stored,
// so a leaked table does not leak live sessions; keeping sessions in the
// store lets several web replicas share them.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    int64     `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionStore persists sessions. Session returns ErrNotFound for unknown
// and for expired sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}
