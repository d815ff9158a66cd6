package docformat

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Offer names known to the generator.
const (
	OfferFlexibleEngine = "Flexible Engine"
	OfferCloudAvenue    = "Cloud Avenue"
)

// Billing modes written in the BillingMode column.
const (
	ModePayPerUse = "Pay-per-use"
	ModeReserved  = "Reserved Instance"
)

// Params says whose documents to generate and for which month.
type Params struct {
	// Seed makes the data reproducible: the same Params always give the
	// same Statement, byte for byte once written.
	Seed         string
	ContractID   string // e.g. OCB0001234
	ContractName string
	CustomerName string
	// OfferName picks the catalogue: OfferCloudAvenue gives vCPU, RAM,
	// storage tiers and edge gateways; anything else gives Flexible Engine
	// (ECS, EVS, OBS, VPC, RDS, CCE...).
	OfferName string
	// Period is the month of consumption. An out-of-range month is folded
	// the way time.Date does (month 13 of 2024 is January 2025).
	Period Period
	// Currency is an ISO 4217 code; "" means DefaultCurrency. Prices are
	// the same whatever the currency.
	Currency string
	// Through is the last day of consumption included, for partial
	// documents; 0, or any value outside 1 to the month's last day, means
	// the whole month.
	Through int
}

// Generate returns a realistic Statement for p: 20 to 80 lines in a typical
// month, a few of them reserved instances, some with a volume discount.
//
// It is a pure function of p. The contract's long-lived resources (their
// identifiers, sizes and reservations) depend only on Seed, ContractID and
// OfferName, so they stay the same from month to month; usage that varies
// (traffic, short-lived machines) also depends on Period. Through only cuts
// the month short, so a partial Statement holds the same resources as the
// whole month, with quantities for the days covered.
//
// Generate never fails; text fields are copied from p as given, and a
// Statement whose text would break the CSV files (a ';' in CustomerName, a
// bad Currency) is refused by the writers, which call Statement.Validate.
func Generate(p Params) Statement {
	period := p.Period.normalize()
	days := period.Days()
	through := p.Through
	if through < 1 || through > days {
		through = days
	}
	currency := p.Currency
	if currency == "" {
		currency = DefaultCurrency
	}
	offer := p.OfferName
	if offer == "" {
		offer = OfferFlexibleEngine
	}

	cat := flexibleEngine
	tenant := p.ContractID // Flexible Engine's IAM domain name is the contract number
	if strings.EqualFold(strings.TrimSpace(offer), OfferCloudAvenue) {
		cat = cloudAvenue
		tenant = "cav01ev01" + strings.ToLower(p.ContractID)
	}

	fleetRNG := newRNG("fleet", p.Seed, p.ContractID, offer)
	policy := newDiscountPolicy(fleetRNG)
	fleet := cat.fleet(fleetRNG)

	monthRNG := newRNG("month", p.Seed, p.ContractID, offer, period.String())
	resources := make([]resource, 0, len(fleet)+8)
	for _, r := range fleet {
		r.firstDay, r.lastDay = 1, days
		r.usage = 60 + monthRNG.intn(81) // this month's usage: 60 % to 140 % of the usual
		resources = append(resources, r)
	}
	for range 1 + monthRNG.intn(5) {
		first := 1 + monthRNG.intn(days)
		last := min(days, first+monthRNG.intn(13))
		for _, r := range cat.ephemeral(monthRNG) {
			r.firstDay, r.lastDay, r.usage = first, last, 100
			resources = append(resources, r)
		}
	}

	st := Statement{
		ContractID:   p.ContractID,
		ContractName: p.ContractName,
		CustomerName: p.CustomerName,
		OfferName:    offer,
		Period:       period,
		Through:      through,
		Currency:     currency,
	}
	for _, r := range resources {
		if r.firstDay > through {
			continue
		}
		last := min(r.lastDay, through)
		for _, c := range r.charges {
			st.Lines = append(st.Lines, rate(r, c, period, last, tenant, policy))
		}
	}
	// Reports list charges by service, then resource; the sort is stable
	// so a resource's charges keep their catalogue order.
	slices.SortStableFunc(st.Lines, func(a, b Line) int {
		return cmp.Or(cmp.Compare(a.ServiceCloud, b.ServiceCloud), cmp.Compare(a.ResourceID, b.ResourceID))
	})
	return st
}

// rate turns one charge of a resource into a priced line covering
// r.firstDay to last.
func rate(r resource, c charge, period Period, last int, tenant string, policy discountPolicy) Line {
	covered := last - r.firstDay + 1
	planned := r.lastDay - r.firstDay + 1
	var qty Fixed4
	switch c.product.meter {
	case perHour:
		qty = c.size * Fixed4(24*covered)
	case perMonth:
		qty = Fixed4(divRound(int64(c.size)*int64(covered), int64(period.Days())))
	case perUse:
		monthly := divRound(int64(c.size)*int64(r.usage), 100)
		qty = Fixed4(divRound(monthly*int64(covered), int64(planned)))
	}

	l := Line{
		BillingMode:  ModePayPerUse,
		Begin:        period.Day(r.firstDay),
		End:          period.Day(last),
		ServiceID:    c.product.ref,
		TenantLabel:  tenant,
		Country:      "France",
		Region:       r.region,
		ServiceCloud: c.product.service,
		CodeLabel:    c.product.category,
		ChargeLabel:  c.product.charge,
		ResourceID:   r.id,
		Project:      r.project,
		Tags:         r.tags,
		Quantity:     qty,
		BillingUnit:  c.product.unit,
		UnitPrice:    c.product.price,
	}
	if c.reservation != nil {
		if sub, hourly, ok := c.reservation.term(period, c.product.price, policy.rate(c.product.category)); ok {
			l.BillingMode = ModeReserved
			l.UnitPrice = hourly
			l.Subscription = sub
		}
	}
	// The catalogue keeps quantities and prices far below the overflow
	// bound of lineAmount, so its error cannot happen here.
	l.Amount, _ = lineAmount(l.Quantity, l.UnitPrice)
	if l.Subscription == nil {
		l.VolumeDiscount = policy.discount(c.product.category, l.Amount)
	}
	l.DiscountedAmount = l.Amount - l.VolumeDiscount
	return l
}

// meter says how a product's quantity grows with the days covered.
type meter int

const (
	// perHour: size × 24 h × days covered (instances, IPs, gateways).
	perHour meter = iota
	// perMonth: size × days covered ÷ days in the month (GB-Month).
	perMonth
	// perUse: a monthly volume that varies each month (traffic,
	// requests), prorated over the days covered.
	perUse
)

// product is one line of an offer's price list.
type product struct {
	ref      string // ServiceID
	service  string // ServiceCloud
	category string // CodeLabel
	charge   string // ChargeLabel
	unit     string // BillingUnit
	price    Fixed4 // per unit, excluding VAT
	meter    meter
}

// charge is one product billed on a resource.
type charge struct {
	product product
	// size is the count of units for perHour and perMonth products, and
	// the usual monthly volume for perUse ones.
	size        Fixed4
	reservation *reservation
}

// resource is one thing the customer runs, with its charges.
type resource struct {
	id, region, project, tags string
	charges                   []charge
	firstDay, lastDay         int // days of the month it exists
	usage                     int // percentage applied to perUse volumes this month
}

// reservation is a reserved-instance contract renewed term after term since
// its first month, so every month falls in exactly one term.
type reservation struct {
	chargeType string
	first      Period // month the first term began
	years      int
	flavor     string
}

// Reserved-instance pricing, as percentages of the pay-per-use price: the
// hourly rate, and the upfront payment per hour of the term.
var riPricing = map[string]struct{ hourly, upfront int64 }{
	"No Upfront":      {hourly: 70, upfront: 0},
	"Partial Upfront": {hourly: 40, upfront: 30},
	"All Upfront":     {hourly: 0, upfront: 62},
}

// term returns the subscription covering period and the reserved hourly
// price, or ok false when period is before the first term.
func (rv *reservation) term(period Period, price Fixed4, discountBP int64) (sub *Subscription, hourly Fixed4, ok bool) {
	months := (period.Year-rv.first.Year)*12 + int(period.Month-rv.first.Month)
	if months < 0 {
		return nil, 0, false
	}
	termMonths := 12 * rv.years
	begin := rv.first.Start().AddDate(0, months/termMonths*termMonths, 0)
	end := begin.AddDate(0, termMonths, -1)
	hours := int64(end.Sub(begin)/time.Hour) + 24

	pricing := riPricing[rv.chargeType]
	hourly = Fixed4(divRound(int64(price)*pricing.hourly, 100))
	upfront, _ := lineAmount(Fixed4(hours*10000), Fixed4(divRound(int64(price)*pricing.upfront, 100)))
	duration := "1 year"
	if rv.years > 1 {
		duration = fmt.Sprintf("%d years", rv.years)
	}
	return &Subscription{
		ChargeType:        rv.chargeType,
		Begin:             begin,
		End:               end,
		Upfront:           upfront,
		UpfrontDiscounted: upfront - percentOf(upfront, discountBP),
		Flavor:            rv.flavor,
		Duration:          duration,
	}, hourly, true
}

// discountPolicy is a contract's negotiated volume discount: a rate per
// category, applied to a line once its amount reaches a threshold.
type discountPolicy struct {
	rates     map[string]int64 // basis points by CodeLabel
	threshold Cents
}

func newDiscountPolicy(r *rng) discountPolicy {
	p := discountPolicy{
		rates:     map[string]int64{"Compute": pick(r, []int64{300, 500, 800})},
		threshold: pick(r, []Cents{1000, 2000, 5000}),
	}
	if r.chance(50) {
		p.rates["Storage"] = 300
	}
	if r.chance(30) {
		p.rates["Database"] = 500
	}
	return p
}

func (p discountPolicy) rate(category string) int64 {
	return p.rates[category]
}

func (p discountPolicy) discount(category string, amount Cents) Cents {
	if amount < p.threshold {
		return 0
	}
	return percentOf(amount, p.rates[category])
}

// catalogue is what an offer sells and how a customer's estate looks.
type catalogue struct {
	fleet     func(r *rng) []resource // long-lived resources of a contract
	ephemeral func(r *rng) []resource // short-lived resources of one month
}

func units(n int) Fixed4 { return Fixed4(n) * 10000 }

// price reads a four-decimal literal of the price lists below. A typo there
// is a programming error that any test run reveals, hence the panic.
func price(s string) Fixed4 {
	whole, frac, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if !ok || len(frac) != 4 || err != nil {
		panic("docformat: bad price literal " + s)
	}
	return Fixed4(n)
}

var tagChoices = []string{"", "", "env=prod", "env=prod,app=crm", "env=dev,owner=ops", "app=website", "cost-center=CC1042"}

// ---- Flexible Engine ----

var feFlavors = []struct {
	name  string
	price string // Linux, per hour
}{
	{"s3.medium.2", "0.0420"}, {"s3.large.2", "0.0840"}, {"s3.xlarge.2", "0.1680"},
	{"s3.2xlarge.4", "0.4100"}, {"c3.large.2", "0.0950"}, {"c3.xlarge.4", "0.2200"},
	{"m3.xlarge.8", "0.2900"},
}

var feVolumes = []product{
	{ref: "FE-EVS-SATA", service: "EVS", category: "Storage", charge: "EVS Common I/O (SATA) volume", unit: "GB-Month", price: price("0.0400"), meter: perMonth},
	{ref: "FE-EVS-SAS", service: "EVS", category: "Storage", charge: "EVS High I/O (SAS) volume", unit: "GB-Month", price: price("0.0600"), meter: perMonth},
	{ref: "FE-EVS-SSD", service: "EVS", category: "Storage", charge: "EVS Ultra-high I/O (SSD) volume", unit: "GB-Month", price: price("0.1500"), meter: perMonth},
}

var (
	feOBSStorage  = product{ref: "FE-OBS-STD", service: "OBS", category: "Storage", charge: "OBS Standard storage", unit: "GB-Month", price: price("0.0200"), meter: perMonth}
	feOBSRequests = product{ref: "FE-OBS-REQ", service: "OBS", category: "Storage", charge: "OBS GET requests", unit: "10k requests", price: price("0.0040"), meter: perUse}
	feOBSTraffic  = product{ref: "FE-OBS-OUT", service: "OBS", category: "Network", charge: "OBS outbound Internet traffic", unit: "GB", price: price("0.0800"), meter: perUse}
	feEIP         = product{ref: "FE-VPC-EIP", service: "VPC", category: "Network", charge: "Elastic IP", unit: "Hour", price: price("0.0050"), meter: perHour}
	feBandwidth   = product{ref: "FE-VPC-BW10", service: "VPC", category: "Network", charge: "EIP bandwidth 10 Mbit/s", unit: "Hour", price: price("0.0300"), meter: perHour}
	feRDS         = product{ref: "FE-RDS-MYSQL-S3L2", service: "RDS", category: "Database", charge: "RDS for MySQL rds.mysql.s3.large.2 single", unit: "Hour", price: price("0.1800"), meter: perHour}
	feRDSStorage  = product{ref: "FE-RDS-SSD", service: "RDS", category: "Database", charge: "RDS SSD storage", unit: "GB-Month", price: price("0.1500"), meter: perMonth}
	feCCE         = product{ref: "FE-CCE-CL50", service: "CCE", category: "Container", charge: "CCE cluster up to 50 nodes", unit: "Hour", price: price("0.1100"), meter: perHour}
	feELB         = product{ref: "FE-ELB-SHARED", service: "ELB", category: "Network", charge: "Shared load balancer", unit: "Hour", price: price("0.0280"), meter: perHour}
	feELBTraffic  = product{ref: "FE-ELB-LCU", service: "ELB", category: "Network", charge: "Load balancer processed traffic", unit: "GB", price: price("0.0080"), meter: perUse}
	feCBR         = product{ref: "FE-CBR-VAULT", service: "CBR", category: "Backup", charge: "CBR backup vault", unit: "GB-Month", price: price("0.0450"), meter: perMonth}
)

var feRegions = []string{"eu-west-0", "eu-west-0", "eu-west-0", "eu-west-0", "eu-west-1"}

var flexibleEngine = catalogue{
	fleet: func(r *rng) []resource {
		target := 20 + r.intn(45)
		var out []resource
		lines := 0
		for i := 0; lines < target; i++ {
			var rs []resource
			switch k := r.intn(100); {
			case i == 0 || k < 35:
				// The first machine is always reserved so that every
				// contract shows reserved-instance lines.
				rs = feServer(r, i == 0 || r.chance(30))
			case k < 55:
				rs = []resource{feResource(r, charge{product: pick(r, feVolumes), size: units(50 + 10*r.intn(196))})}
			case k < 65:
				rs = []resource{feResource(r,
					charge{product: feOBSStorage, size: units(100 + 50*r.intn(400))},
					charge{product: feOBSRequests, size: units(50 + r.intn(4950))},
					charge{product: feOBSTraffic, size: units(10 + r.intn(1990))})}
				rs[0].id = "obs-" + r.hex(12)
			case k < 75:
				rs = []resource{feResource(r, charge{product: feEIP, size: units(1)}, charge{product: feBandwidth, size: units(1)})}
			case k < 83:
				rs = []resource{feResource(r, charge{product: feRDS, size: units(1)}, charge{product: feRDSStorage, size: units(40 + 10*r.intn(47))})}
			case k < 88:
				rs = []resource{feResource(r, charge{product: feCCE, size: units(1)})}
			case k < 94:
				rs = []resource{feResource(r, charge{product: feELB, size: units(1)}, charge{product: feELBTraffic, size: units(20 + r.intn(3000))})}
			default:
				rs = []resource{feResource(r, charge{product: feCBR, size: units(100 + 10*r.intn(291))})}
			}
			for _, res := range rs {
				lines += len(res.charges)
			}
			out = append(out, rs...)
		}
		return out
	},
	ephemeral: func(r *rng) []resource {
		return feServer(r, false)
	},
}

// feServer returns an ECS instance and its system disk, which Flexible
// Engine bills as a separate EVS volume.
func feServer(r *rng, reserved bool) []resource {
	f := pick(r, feFlavors)
	system, p := "Linux", price(f.price)
	if !reserved && r.chance(20) {
		system, p = "Windows", Fixed4(divRound(int64(p)*150, 100))
	}
	ecs := product{
		ref:      "FE-ECS-" + strings.ToUpper(strings.ReplaceAll(f.name, ".", "")) + "-" + strings.ToUpper(system[:3]),
		service:  "ECS",
		category: "Compute",
		charge:   f.name + " " + system,
		unit:     "Hour",
		price:    p,
		meter:    perHour,
	}
	c := charge{product: ecs, size: units(1)}
	if reserved {
		c.reservation = &reservation{
			chargeType: pick(r, []string{"No Upfront", "Partial Upfront", "All Upfront"}),
			first:      Period{Year: 2019 + r.intn(4), Month: time.Month(1 + r.intn(12))},
			years:      pick(r, []int{1, 3}),
			flavor:     f.name,
		}
	}
	server := feResource(r, c)
	disk := feResource(r, charge{product: feVolumes[1], size: units(40)})
	disk.region, disk.project, disk.tags = server.region, server.project, server.tags
	return []resource{server, disk}
}

func feResource(r *rng, charges ...charge) resource {
	region := pick(r, feRegions)
	return resource{
		id:      r.uuid(),
		region:  region,
		project: region + "_" + pick(r, []string{"prod", "prod", "preprod", "dev"}),
		tags:    pick(r, tagChoices),
		charges: charges,
	}
}

// ---- Cloud Avenue ----

var (
	caVCPU    = product{ref: "CAV-VCPU-STD", service: "vDC", category: "Compute", charge: "vCPU standard", unit: "vCPU-Hour", price: price("0.0190"), meter: perHour}
	caRAM     = product{ref: "CAV-RAM", service: "vDC", category: "Compute", charge: "RAM", unit: "GB-Hour", price: price("0.0048"), meter: perHour}
	caWindows = product{ref: "CAV-LIC-WINSRV", service: "Licence", category: "Licence", charge: "Windows Server Datacenter licence", unit: "vCPU-Month", price: price("9.5000"), meter: perMonth}
	caEdge    = product{ref: "CAV-EDGE-M", service: "Network", category: "Network", charge: "Edge gateway medium", unit: "Hour", price: price("0.0650"), meter: perHour}
	caIP      = product{ref: "CAV-PUBLIC-IP", service: "Network", category: "Network", charge: "Public IP address", unit: "Hour", price: price("0.0055"), meter: perHour}
	caBW      = product{ref: "CAV-BW-100", service: "Network", category: "Network", charge: "Internet bandwidth 100 Mbit/s", unit: "Hour", price: price("0.0400"), meter: perHour}
	caBackup  = product{ref: "CAV-BACKUP", service: "Backup", category: "Backup", charge: "Backup protected data", unit: "GB-Month", price: price("0.0500"), meter: perMonth}
)

var caStorage = []product{
	{ref: "CAV-STO-GOLD", service: "Storage", category: "Storage", charge: "Storage Gold", unit: "GB-Month", price: price("0.1200"), meter: perMonth},
	{ref: "CAV-STO-SILVER", service: "Storage", category: "Storage", charge: "Storage Silver", unit: "GB-Month", price: price("0.0800"), meter: perMonth},
	{ref: "CAV-STO-BRONZE", service: "Storage", category: "Storage", charge: "Storage Bronze", unit: "GB-Month", price: price("0.0500"), meter: perMonth},
}

var caRegions = []string{"fr-par-1", "fr-par-1", "fr-par-1", "fr-par-2"}

var cloudAvenue = catalogue{
	fleet: func(r *rng) []resource {
		target := 20 + r.intn(45)
		var out []resource
		lines := 0
		for i := 0; lines < target; i++ {
			var res resource
			switch k := r.intn(100); {
			case i == 0 || k < 50:
				res = caVM(r, i == 0 || r.chance(30))
			case k < 62:
				res = caResource(r, "gateway", charge{product: caEdge, size: units(1)},
					charge{product: caIP, size: units(1 + r.intn(4))}, charge{product: caBW, size: units(1)})
			case k < 85:
				res = caResource(r, "disk", charge{product: pick(r, caStorage), size: units(100 + 50*r.intn(79))})
			default:
				res = caResource(r, "backup", charge{product: caBackup, size: units(100 + 10*r.intn(291))})
			}
			lines += len(res.charges)
			out = append(out, res)
		}
		return out
	},
	ephemeral: func(r *rng) []resource {
		return []resource{caVM(r, false)}
	},
}

// caVM returns a virtual machine: vCPU, RAM and its disk, plus a Windows
// licence for some.
func caVM(r *rng, reserved bool) resource {
	vcpu := pick(r, []int{2, 2, 4, 4, 8, 16})
	cpu := charge{product: caVCPU, size: units(vcpu)}
	if reserved {
		cpu.reservation = &reservation{
			chargeType: pick(r, []string{"No Upfront", "Partial Upfront", "All Upfront"}),
			first:      Period{Year: 2019 + r.intn(4), Month: time.Month(1 + r.intn(12))},
			years:      pick(r, []int{1, 3}),
			flavor:     fmt.Sprintf("%d vCPU reserved", vcpu),
		}
	}
	charges := []charge{
		cpu,
		{product: caRAM, size: units(vcpu * pick(r, []int{2, 4, 8}))},
		{product: pick(r, caStorage), size: units(40 + 20*r.intn(24))},
	}
	if !reserved && r.chance(20) {
		charges = append(charges, charge{product: caWindows, size: units(vcpu)})
	}
	return caResource(r, "vm", charges...)
}

func caResource(r *rng, kind string, charges ...charge) resource {
	return resource{
		id:      "urn:vcloud:" + kind + ":" + r.uuid(),
		region:  pick(r, caRegions),
		project: "vdc-" + pick(r, []string{"prod", "prod", "preprod", "dev"}),
		tags:    pick(r, tagChoices),
		charges: charges,
	}
}

// ---- randomness ----

// rng is a SplitMix64 generator. It is written out here rather than taken
// from math/rand so that the stream of numbers, and so every generated file,
// can never change with the Go version.
type rng struct{ state uint64 }

// newRNG seeds a generator from a SHA-256 of parts, so that any change in
// any part gives an unrelated stream.
func newRNG(parts ...string) *rng {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0}) // keeps ("ab","c") apart from ("a","bc")
	}
	return &rng{state: binary.LittleEndian.Uint64(h.Sum(nil))}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). The modulo bias is below 1e-17 for the
// small n used here.
func (r *rng) intn(n int) int {
	return int(r.next() % uint64(n))
}

func (r *rng) chance(percent int) bool {
	return r.intn(100) < percent
}

func (r *rng) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.intn(16)]
	}
	return string(b)
}

// uuid returns a random-looking version 4 UUID.
func (r *rng) uuid() string {
	h := r.hex(32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[r.intn(4)]) + h[17:20] + "-" + h[20:32]
}

func pick[T any](r *rng, xs []T) T {
	return xs[r.intn(len(xs))]
}
