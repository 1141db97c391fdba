package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gridplan/territory"
)

func (s *server) registerUsers(g *gin.RouterGroup) {
	g.GET("", allow(ManageUsers), s.listUsers)
	g.POST("", allow(ManageUsers), s.createUser)
	g.DELETE("/:id", allow(ManageUsers), s.deleteUser)
}

type userIn struct {
	Username    *string         `json:"username"`
	Password    *string         `json:"password"`
	Role        *territory.Role `json:"role"`
	ManagerID   int64           `json:"manager_id"`
	DisplayName string          `json:"display_name"`
}

func (s *server) listUsers(c *gin.Context) {
	us, err := s.Store.Users(c.Request.Context())
	if err != nil {
		fail(c, fmt.Errorf("list users: %w", err))
		return
	}
	if us == nil {
		us = []*territory.User{}
	}
	c.JSON(http.StatusOK, gin.H{"items": us})
}

func (s *server) createUser(c *gin.Context) {
	var in userIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	switch {
	case in.Username == nil:
		fail(c, invalid("username", "is required"))
		return
	case in.Password == nil:
		fail(c, invalid("password", "is required"))
		return
	case utf8.RuneCountInString(*in.Password) < territory.MinPasswordLen:
		fail(c, invalid("password", "must be at least %d characters", territory.MinPasswordLen))
		return
	case in.Role == nil:
		fail(c, invalid("role", "is required (admin, planner, leader or manager)"))
		return
	}
	u := &territory.User{
		Username:     *in.Username,
		DisplayName:  in.DisplayName,
		Role:         *in.Role,
		ManagerID:    in.ManagerID,
		CreatedAt:    s.Now().UTC(),
		PasswordHash: "unset", // checked after Validate, hashed only for valid input
	}
	if err := u.Validate(); err != nil {
		fail(c, err)
		return
	}
	if u.ManagerID != 0 {
		if _, err := s.Store.Manager(c.Request.Context(), u.ManagerID); err != nil {
			if errors.Is(err, territory.ErrNotFound) {
				err = invalid("manager_id", "manager %d does not exist", u.ManagerID)
			}
			fail(c, err)
			return
		}
	}
	if _, err := s.Store.UserByUsername(c.Request.Context(), u.Username); err == nil {
		fail(c, conflict("username %q is taken", u.Username))
		return
	} else if !errors.Is(err, territory.ErrNotFound) {
		fail(c, fmt.Errorf("user %q: %w", u.Username, err))
		return
	}
	hash, err := territory.HashPassword(*in.Password)
	if err != nil {
		fail(c, err)
		return
	}
	u.PasswordHash = hash
	if err := s.Store.CreateUser(c.Request.Context(), u); err != nil {
		fail(c, fmt.Errorf("create user %q: %w", u.Username, err))
		return
	}
	c.Header("Location", "/api/users/"+strconv.FormatInt(u.ID, 10))
	c.JSON(http.StatusCreated, u)
}

func (s *server) deleteUser(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	if id == currentUser(c).ID {
		fail(c, conflict("you cannot delete your own login; ask another admin"))
		return
	}
	if _, err := s.Store.User(c.Request.Context(), id); err != nil {
		fail(c, lookupErr("user", id, err))
		return
	}
	if err := s.Store.DeleteUser(c.Request.Context(), id); err != nil {
		fail(c, lookupErr("user", id, err))
		return
	}
	noContent(c)
}
