package eccs

import "fmt"

// Role is a profile on one section of a contract. The zero Role is no access.
type Role int8

// The roles, in increasing order of rights.
const (
	RoleNone Role = iota
	RoleVisitor
	RoleManager
)

// String returns the wire name of the role ("visitor", "manager"), or "" for RoleNone.
func (r Role) String() string {
	switch r {
	case RoleVisitor:
		return "visitor"
	case RoleManager:
		return "manager"
	}
	return ""
}

// ParseRole parses a wire role name. It returns false for anything but "visitor" and "manager".
func ParseRole(s string) (Role, bool) {
	switch s {
	case "visitor":
		return RoleVisitor, true
	case "manager":
		return RoleManager, true
	}
	return RoleNone, false
}

// Section is a part of the customer space on which a user holds a role.
type Section string

// The sections of a contract.
const (
	SectionContracts Section = "contracts"
	SectionDocuments Section = "documents"
	SectionUsers     Section = "users"
)

// Sections lists every section, in wire order.
var Sections = []Section{SectionContracts, SectionDocuments, SectionUsers}

// Roles holds a role per section.
type Roles struct {
	Contracts Role
	Documents Role
	Users     Role
}

// ManagerEverywhere is the roles of an administrator on its perimeter and of a contract's referent.
var ManagerEverywhere = Roles{Contracts: RoleManager, Documents: RoleManager, Users: RoleManager}

// On returns the role held on section s.
func (r Roles) On(s Section) Role {
	switch s {
	case SectionContracts:
		return r.Contracts
	case SectionDocuments:
		return r.Documents
	case SectionUsers:
		return r.Users
	}
	return RoleNone
}

// With returns r with the role on section s set to role.
func (r Roles) With(s Section, role Role) Roles {
	switch s {
	case SectionContracts:
		r.Contracts = role
	case SectionDocuments:
		r.Documents = role
	case SectionUsers:
		r.Users = role
	default:
		panic(fmt.Sprintf("eccs: unknown section %q", s))
	}
	return r
}

// ParseSection parses a wire section name.
func ParseSection(s string) (Section, bool) {
	for _, sec := range Sections {
		if string(sec) == s {
			return sec, true
		}
	}
	return "", false
}
