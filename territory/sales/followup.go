package sales

import (
	"context"
	"fmt"

	"gridplan/funnel"
	"gridplan/territory"
)

// followUp loads follow-up id, naming it when it does not exist.
func followUp(ctx context.Context, st Store, id int64) (*funnel.FollowUp, error) {
	if id <= 0 {
		return nil, territory.NotFound("follow-up", id)
	}
	fs, err := st.FollowUps(ctx, funnel.FollowUpFilter{AfterID: id - 1, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("follow-up %d: %w", id, err)
	}
	if len(fs) == 0 || fs[0].ID != id {
		return nil, territory.NotFound("follow-up", id)
	}
	return fs[0], nil
}

// FollowUpDone marks follow-up id done (DoneAt now) and returns it. Only
// the manager it belongs to and admins may; marking a done follow-up again
// changes nothing and returns it as it is.
func (s *Service) FollowUpDone(ctx context.Context, a Actor, id int64) (*funnel.FollowUp, error) {
	if err := canWork(a); err != nil {
		return nil, err
	}
	now := s.now()
	var out *funnel.FollowUp
	err := s.inTx(ctx, func(tx Store) error {
		f, err := followUp(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Role != territory.RoleAdmin && f.ManagerID != a.ManagerID {
			return forbidden("follow-up %d is another manager's", f.ID)
		}
		if f.DoneAt == nil {
			at := now
			if at.Before(f.CreatedAt) { // a clock behind the one that created it
				at = f.CreatedAt
			}
			f.DoneAt = &at
			if err := tx.UpdateFollowUp(ctx, f); err != nil {
				return fmt.Errorf("update follow-up %d: %w", f.ID, err)
			}
		}
		out = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
