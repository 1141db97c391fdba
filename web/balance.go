package web

// The list-balancing API (清单均衡): a planner asks for a proposal for a
// grid or a district (POST /api/balance/proposals) and accepts all or part
// of its changes (POST /api/balance/accept). Handlers parse and render; the
// sales service (territory/sales/balance.go) builds the problem from the
// store, runs the balancer (territory/balance) and applies the accepted
// changes, each checked again against the store.

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"gridplan/territory/sales"
)

func (s *server) registerBalance(g *gin.RouterGroup) {
	g.POST("/proposals", allow(BalanceLists), s.proposeBalance)
	g.POST("/accept", allow(BalanceLists), s.acceptBalance)
}

// proposalIn is the body of POST /api/balance/proposals: grid_id or
// district_id; slack (default 10% of the customers taking part),
// cross_grid, compact, move_penalty_m (default 300).
type proposalIn struct {
	GridID       int64    `json:"grid_id"`
	DistrictID   int64    `json:"district_id"`
	Slack        *int     `json:"slack"`
	CrossGrid    bool     `json:"cross_grid"`
	Compact      bool     `json:"compact"`
	MovePenaltyM *float64 `json:"move_penalty_m"`
}

func (s *server) proposeBalance(c *gin.Context) {
	var in proposalIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	p, err := s.sales().Propose(c.Request.Context(), actor(c), sales.ProposeInput{
		GridID: in.GridID, DistrictID: in.DistrictID, Slack: in.Slack, CrossGrid: in.CrossGrid, Compact: in.Compact, MovePenaltyM: in.MovePenaltyM,
	})
	if err != nil {
		fail(c, fmt.Errorf("balance proposal: %w", err))
		return
	}
	c.JSON(http.StatusOK, p)
}

// acceptIn is the body of POST /api/balance/accept.
type acceptIn struct {
	Changes   []sales.AcceptChange `json:"changes"`
	CrossGrid bool                 `json:"cross_grid"`
}

func (s *server) acceptBalance(c *gin.Context) {
	var in acceptIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	res, err := s.sales().Accept(c.Request.Context(), actor(c), sales.AcceptInput{Changes: in.Changes, CrossGrid: in.CrossGrid})
	if err != nil {
		fail(c, fmt.Errorf("balance accept: %w", err))
		return
	}
	applied := 0
	for _, r := range res {
		if r.Status == sales.AcceptApplied {
			applied++
		}
	}
	c.JSON(http.StatusOK, gin.H{"results": res, "applied": applied, "refused": len(res) - applied})
}
