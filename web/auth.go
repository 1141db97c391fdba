package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"gridplan/territory"
)

const sessionCookie = "gridplan_session"

// badLogin is the one answer to a wrong username or a wrong password, so
// that the response does not tell which usernames exist.
var badLogin = unauthorized("wrong username or password")

// dummyHash is compared against when the username does not exist, so that a
// login for an unknown name costs one bcrypt like a known one does.
var dummyHash = sync.OnceValue(func() string {
	h, err := territory.HashPassword("no user has this password: " + rand.Text())
	if err != nil {
		panic("web: hashing the dummy password: " + err.Error())
	}
	return h
})

func (s *server) registerLogin(g *gin.RouterGroup) {
	g.POST("/login", requireJSON, s.login)
}

func (s *server) registerSession(g *gin.RouterGroup) {
	g.POST("/logout", s.logout)
	g.GET("/me", s.me)
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// meResponse is what login and /api/me answer: the user and, for a manager
// login, his manager record (null otherwise).
type meResponse struct {
	User    *territory.User `json:"user"`
	Manager *managerJSON    `json:"manager"`
}

func (s *server) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	switch {
	case strings.TrimSpace(req.Username) == "":
		fail(c, invalid("username", "is required"))
		return
	case req.Password == "":
		fail(c, invalid("password", "is required"))
		return
	}
	u, err := s.Store.UserByUsername(c.Request.Context(), req.Username)
	if errors.Is(err, territory.ErrNotFound) {
		territory.CheckPassword(dummyHash(), req.Password)
		fail(c, badLogin)
		return
	}
	if err != nil {
		fail(c, fmt.Errorf("login %q: %w", req.Username, err))
		return
	}
	if !territory.CheckPassword(u.PasswordHash, req.Password) {
		fail(c, badLogin)
		return
	}

	// A browser that was logged in as someone else drops that session.
	if old, err := c.Cookie(sessionCookie); err == nil && old != "" {
		if err := s.Store.DeleteSession(c.Request.Context(), hashToken(old)); err != nil && !errors.Is(err, territory.ErrNotFound) {
			s.Logger.WarnContext(c.Request.Context(), "dropping previous session", "err", err)
		}
	}
	token := newToken()
	now := s.Now()
	sess := &territory.Session{
		TokenHash: hashToken(token),
		UserID:    u.ID,
		CreatedAt: now,
		ExpiresAt: now.Add(s.SessionTTL),
	}
	if err := s.Store.CreateSession(c.Request.Context(), sess); err != nil {
		fail(c, fmt.Errorf("login %q: create session: %w", u.Username, err))
		return
	}
	// Expired sessions are swept at login: often enough to keep the table
	// small, rare enough to cost nothing.
	if n, err := s.Store.DeleteExpiredSessions(c.Request.Context(), now); err != nil {
		s.Logger.WarnContext(c.Request.Context(), "sweeping expired sessions", "err", err)
	} else if n > 0 {
		s.Logger.DebugContext(c.Request.Context(), "swept expired sessions", "count", n)
	}
	s.setSessionCookie(c, token, int(s.SessionTTL.Seconds()))
	c.Set(keyUser, u)
	s.renderMe(c, u)
}

func (s *server) logout(c *gin.Context) {
	hash, _ := c.Get(keySession)
	if h, ok := hash.(string); ok {
		if err := s.Store.DeleteSession(c.Request.Context(), h); err != nil && !errors.Is(err, territory.ErrNotFound) {
			fail(c, fmt.Errorf("logout: %w", err))
			return
		}
	}
	s.setSessionCookie(c, "", -1)
	noContent(c)
}

func (s *server) me(c *gin.Context) { s.renderMe(c, currentUser(c)) }

func (s *server) renderMe(c *gin.Context, u *territory.User) {
	resp := meResponse{User: u}
	if u.ManagerID != 0 {
		m, err := s.Store.Manager(c.Request.Context(), u.ManagerID)
		switch {
		case err == nil:
			resp.Manager = newManagerJSON(m)
		case !errors.Is(err, territory.ErrNotFound):
			fail(c, fmt.Errorf("user %d: manager %d: %w", u.ID, u.ManagerID, err))
			return
		}
	}
	c.JSON(http.StatusOK, resp)
}

// setSessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie: HttpOnly so scripts cannot read it, SameSite=Lax so other sites'
// forms do not send it, Secure when served over HTTPS.
func (s *server) setSessionCookie(c *gin.Context, token string, maxAge int) {
	ck := &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		ck.Expires = s.Now().Add(s.SessionTTL).UTC()
	}
	http.SetCookie(c.Writer, ck)
}

// newToken is 32 random bytes, base64url: the bearer secret of a session.
func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is what the store keeps instead of the token: a leaked session
// table does not leak live sessions.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// requireSession admits requests that carry a live session cookie and puts
// the user in the context; everything else gets 401.
func (s *server) requireSession(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err != nil || token == "" {
		fail(c, unauthorized("login required"))
		return
	}
	now := s.Now()
	hash := hashToken(token)
	sess, err := s.Store.Session(c.Request.Context(), hash, now)
	if errors.Is(err, territory.ErrNotFound) || (err == nil && !now.Before(sess.ExpiresAt)) {
		s.setSessionCookie(c, "", -1)
		fail(c, unauthorized("session expired or unknown; log in again"))
		return
	}
	if err != nil {
		fail(c, fmt.Errorf("session lookup: %w", err))
		return
	}
	u, err := s.Store.User(c.Request.Context(), sess.UserID)
	if errors.Is(err, territory.ErrNotFound) { // the user was deleted
		s.setSessionCookie(c, "", -1)
		fail(c, unauthorized("session expired or unknown; log in again"))
		return
	}
	if err != nil {
		fail(c, fmt.Errorf("session user %d: %w", sess.UserID, err))
		return
	}
	c.Set(keyUser, u)
	c.Set(keySession, hash)
	c.Next()
}

// currentUser is the logged-in user, or nil before requireSession.
func currentUser(c *gin.Context) *territory.User {
	v, _ := c.Get(keyUser)
	u, _ := v.(*territory.User)
	return u
}
