// Package sales is the sales method at work on the stored customers: claims
// (报备) that put a customer of a grid's pool on one manager's list, refused
// when another manager holds him, when the list is full or while a lapsed
// claim cools down; their release and their lapse after a period without a
// qualifying activity; activities with their opportunity signals (商机),
// verified visits and dated follow-ups; stage changes with their checklists;
// a manager's list with priorities and next actions; and the funnel metrics
// of a manager, a grid, a district or the province.
//
// The rules themselves are package funnel's (pure functions); this package
// loads what they need, checks who may act (a manager on his own list and
// his grid's pool, an admin on everyone) and writes the outcome in one
// transaction. It knows nothing of databases or HTTP: web and cmd wire it
// to a data.Store.
package sales
