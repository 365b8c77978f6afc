package demo

import (
	"math/rand/v2"
	"strings"
)

// Names of the scale tenants' patients. Name search is measured on them,
// so they have the shape of a real register rather than a grid: a few
// family names very common and thousands rare (a Zipf-like frequency, as
// in census counts, where the commonest name is held by about one person
// in a hundred), spellings from many languages with accents, apostrophes,
// particles and hyphenated double names. The common names are written
// out below; the long tail is built from stems and endings the way
// surnames form in each language (patronymics, places, trades), so most
// of it are plausible names rather than a list copied from anywhere.

// scaleFamilyHead are common family names, commonest first.
var scaleFamilyHead = strings.Fields(`
	Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson
	Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young
	Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
	Gómez Phillips Evans Turner Díaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutiérrez
	Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chávez Wood James
	Bennett Gray Mendoza Ruiz Hughes Price Álvarez Castillo Sanders Patel Myers Long Ross Foster Jiménez Powell Jenkins
	Perry Russell Sullivan Bell Coleman Butler Henderson Barnes González Fisher Vásquez Simmons Romero Jordan Patterson
	Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
	Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernández McDonald Woods Washington Kennedy Wells Vargas
	Henry Chen Freeman Webb Tucker Guzmán Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
	Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
	Schmidt García Ferguson Weaver Wang Nichols Ryan O'Brien O'Connor O'Neill D'Angelo D'Souza N'Diaye McCarthy MacLeod
	Nowak Kowalski Wiśniewski Wójcik Lewandowski Kamiński Zieliński Szymański Dąbrowski Kozłowski Müller Schneider
	Fischer Weber Schäfer Köhler Krüger Schröder Böhm Lefèvre Dubois Moreau Laurent Lefebvre Girard Rousseau Bonnet
	François Mercier Guérin Faure Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo
	Conti Costa Giordano Mancini Lombardi Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Đặng Bùi Đỗ Yılmaz Kaya Demir Şahin Çelik
	Öztürk Aydın Doğan Kılıç Arslan Haddad Khoury Nasser Saleh Hussein Rahman Ahmed Ali Khan Hassan Ibrahim Mahmoud
	Okafor Okonkwo Adeyemi Mensah Owusu Boateng Asante Nwosu Eze Abubakar Diallo Traoré Keïta Kamara Mwangi Otieno
	Kariuki Tanaka Suzuki Takahashi Watanabe Itō Yamamoto Nakamura Kobayashi Katō Yoshida Sasaki Park Choi Jung Kang
	Cho Yoon Jang Lim Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Singh Kumar Sharma Gupta Reddy
	Iyer Nair Menon Desai Mehta Shah Joshi Rao Das Banerjee Chatterjee Mukherjee Bose Ivanov Ivanova Smirnov Smirnova
	Kuznetsov Popov Popova Sokolov Petrov Petrova Volkov Kovalenko Shevchenko Bondarenko Tkachenko Horvat Kovačević
	Jovanović Petrović Nikolić Novák Svoboda Dvořák Černý Procházka Kučera Nagy Kovács Tóth Szabó Horváth Varga
	Johansson Andersson Karlsson Nilsson Eriksson Larsson Olsen Hansen Jensen Nielsen Pedersen Søndergaard Virtanen
	Korhonen Mäkinen Nieminen Hämäläinen Jónsdóttir Sigurðsson Papadopoulos Georgiou Oliveira Santos Pereira Almeida
	Carvalho Rocha Ribeiro Gonçalves Magalhães Fonseca Cohen Levi Friedman Katz Goldberg Rosenberg Murphy-Byrne
	Byrne Ní-Bhriain Ó-Súilleabháin Fitzgerald Fitzpatrick Quinn Gallagher Doherty Kavanagh Brennan McLaughlin`)

// scaleParticles start multi-part family names: de la Cruz, van der Berg.
var scaleParticles = []string{"de", "de la", "del", "van", "van der", "von", "da", "dos", "di", "le", "du", "al", "ben", "bin", "Mac", "St."}

// Stems and endings of the long tail, by tradition: each stem takes the
// endings of its own group, so Kowal takes -ski and -czyk, not -poulos.
var scaleTailGroups = []struct{ stems, endings []string }{
	{strings.Fields("Ander Peter Niel Ols Jakob Lars Sven Magnus Erik Gustav Halvor Thor Ing Berg Lund Holm Dahl Sand Strand Lind"),
		[]string{"sen", "son", "sson", "gren", "qvist", "ström", "berg", "dal", "lund", "vik"}},
	{strings.Fields("Kowal Nowic Wiśn Kamin Lewand Zielin Szyman Wozni Kozl Jank Mazur Krawc Pawl Sobcz Grab Wróbl Dudz Malin"),
		[]string{"ski", "ska", "czyk", "ewicz", "iak", "ecki", "owski", "ińska"}},
	{strings.Fields("Ivan Petr Sidor Kuzn Moroz Volk Sokol Lebed Kozl Novik Pavl Zaits Orl Belo Grom Sorok Tkach Bondar Shevch Kravch"),
		[]string{"ov", "ova", "enko", "uk", "ych", "ich", "sky", "in", "ina", "chuk"}},
	{strings.Fields("Papad Georg Nikol Dimitr Konstant Vasil Christ Ioann Panag Athan Stavr Kyri Theod Anast Elef"),
		[]string{"opoulos", "ou", "akis", "idis", "iou", "atos", "ides"}},
	{strings.Fields("Rod Fern Gonz Hern Mart Sanch Lop Ram Dom Vazq Ben Alv Nuñ Jimén Suár Ordóñ Ibáñ Muñ Ortiz Cort"),
		[]string{"ez", "es", "iz", "ero", "ado", "illo", "era", "ón"}},
	{strings.Fields("Ross Bianc Ricc Mar Gall Fontan Bell Mor Cont Sant Vit Ferr Caval Pagan Lomb Barb Manc Serr Pell Cap"),
		[]string{"i", "ini", "elli", "etti", "one", "ucci", "ato", "ardi", "otti", "ese"}},
	{strings.Fields("Mc Mac O' Fitz"),
		[]string{"Carthy", "Donnell", "Gowan", "Kenna", "Laren", "Manus", "Namara", "Sweeney", "Grath", "Hale", "Kinley", "Cormack", "Dermott", "Gill", "Bride", "Roy", "Shea", "Leary", "Reilly", "Toole", "Rourke", "Gerald", "Hugh", "Simons"}},
	{strings.Fields("Hart Black Wood Ash Brad Brook Clay Cres Dun Ether Fair Green Hamp Hol Kings Lang Mar North Ox Pem Red South West Whit Win"),
		[]string{"ford", "ley", "ton", "well", "wood", "field", "by", "ham", "combe", "more", "worth", "stead"}},
	{strings.Fields("Schmid Müll Schneid Fisch Web Wagn Beck Hoff Schul Koch Rich Klein Wolf Neum Schwar Zimmer Braun Krüg Hof Hart"),
		[]string{"er", "mann", "ner", "hardt", "inger", "meier", "stein", "berger", "ke", "hoff"}},
	{strings.Fields("Ok Ad Ol Ob Ez Nw Ch Ogun Ade Olu Ife Chuk Oba Ugo Emek Nnam Ike Ayo"),
		[]string{"afor", "eyemi", "onkwo", "owu", "ike", "emeka", "adi", "uba", "ola", "bayo", "ndu", "ogu", "anya"}},
	{strings.Fields("Yama Naka Taka Kawa Mats Ishi Hashi Fuji Sato Mori Ino Kiku Hara Ono Kuro Shira Hira Oka Mizu Nishi"),
		[]string{"moto", "mura", "da", "shita", "kawa", "saki", "yama", "no", "uchi", "hara", "gawa", "zaki"}},
	{strings.Fields("Bal Kal Dev Har Jas Man Nar Raj Ram Sat Sur Vir Pra Cha Gur Kri"),
		[]string{"winder", "deep", "preet", "jit", "pal", "inder", "vant", "ani", "ala", "esh", "dhari", "wal"}},
	{strings.Fields("Nas Had Khal Sal Ham Kar Maj Rash Sab Fah Jam Bas Tar Zak Sul"),
		[]string{"sar", "dad", "idi", "eh", "dan", "im", "oud", "awi", "ani", "oury", "ab", "iri"}},
	{strings.Fields("Yil Kay Dem Ars Çel Kıl Ayd Öz Doğ Kor Erd Tok Akb Güz Şim"),
		[]string{"maz", "a", "ir", "lan", "ik", "ıç", "ın", "türk", "an", "kurt", "oğlu", "er"}},
	{strings.Fields("Nguy Tr Ph Hu Ho Vu Do Ng Du La Ta Lu Qu Di"),
		[]string{"ễn", "ần", "ạm", "ỳnh", "àng", "õ", "ỗ", "ô", "ương", "ý", "ạ", "ư"}},
}

var scaleGivenFemaleHead = strings.Fields(`
	Mary Patricia Linda Barbara Elizabeth Jennifer Maria Susan Margaret Dorothy Lisa Nancy Karen Betty Helen Sandra Donna
	Carol Ruth Sharon Michelle Laura Sarah Kimberly Deborah Jessica Shirley Cynthia Angela Melissa Brenda Amy Anna Rebecca
	Virginia Kathleen Pamela Martha Debra Amanda Stephanie Carolyn Christine Marie Janet Catherine Frances Ann Joyce Diane
	Alice Julie Heather Teresa Doris Gloria Evelyn Jean Cheryl Mildred Katherine Joan Ashley Judith Rose Janice Kelly
	Nicole Judy Christina Kathy Theresa Beverly Denise Tammy Irene Jane Lori Rachel Marilyn Andrea Kathryn Louise Sara
	Anne Jacqueline Wanda Bonnie Julia Ruby Lois Tina Phyllis Norma Paula Diana Annie Lillian Emily Robin Peggy Crystal
	Gladys Rita Dawn Connie Florence Tracy Edna Tiffany Carmen Rosa Cindy Grace Wendy Victoria Edith Kim Sherry Sylvia
	Josephine Thelma Shannon Sheila Ethel Ellen Elaine Marjorie Carrie Charlotte Monica Esther Pauline Emma Juanita Anita
	Rhonda Hazel Amber Eva Debbie April Leslie Clara Lucille Jamie Joanne Eleanor Valerie Danielle Megan Alicia Suzanne
	Michele Gail Bertha Darlene Veronica Jill Erin Geraldine Lauren Cathy Joann Lorraine Lynn Sally Regina Erica Beatrice
	Dolores Bernice Audrey Yvonne Annette June Samantha Marion Dana Stacy Ana Renee Ida Vivian Roberta Holly Brittany
	Melanie Loretta Yolanda Jeanette Laurie Katie Kristen Vanessa Alma Sue Elsie Beth Jeanne Zoë Chloé Renée Hélène Inès
	Noémie Céline Séverine Françoise Agnès Siobhán Aoife Niamh Sinéad Bríd Małgorzata Agnieszka Łucja Zofia Katarzyna
	Ewa Jolanta Søs Åsa Björg Ingrid Märta Astrid Sigríður Guðrún Maja Ljiljana Dragana Jelena Milica Olga Tatiana Irina
	Svetlana Natalia Oksana Yulia Ekaterina Anastasia María José Lucía Sofía Inés Begoña Pilar Rocío Concepción Dolores
	Guadalupe Ximena Valentina Camila Fernanda Graça Conceição Fátima João Giulia Chiara Francesca Alessandra Giovanna
	Mei Xiu Ying Li Hui Jing Fang Lan Yuki Aiko Hana Sakura Keiko Haruka Ji-woo Seo-yeon Min-ji Hye-jin Eun-ji Thảo
	Hương Lan Ngọc Linh Aisha Fatima Zainab Amina Layla Mariam Noor Yasmin Leila Priya Ananya Lakshmi Deepa Sunita
	Kavita Meera Anjali Pooja Ngozi Chiamaka Adaeze Abena Akosua Ama Efua Wanjiru Nia Imani Aaliyah Keisha Latoya
	Shanice Tamika Ebony Mary-Jane Anne-Marie Marie-Claire Ana-Maria Rose-Anne Mary-Kate`)

var scaleGivenMaleHead = strings.Fields(`
	James John Robert Michael William David Richard Charles Joseph Thomas Christopher Daniel Paul Mark Donald George
	Kenneth Steven Edward Brian Ronald Anthony Kevin Jason Matthew Gary Timothy Jose Larry Jeffrey Frank Scott Eric
	Stephen Andrew Raymond Gregory Joshua Jerry Dennis Walter Patrick Peter Harold Douglas Henry Carl Arthur Ryan Roger
	Joe Juan Jack Albert Jonathan Justin Terry Gerald Keith Samuel Willie Ralph Lawrence Nicholas Roy Benjamin Bruce
	Brandon Adam Harry Fred Wayne Billy Steve Louis Jeremy Aaron Randy Howard Eugene Carlos Russell Bobby Victor Martin
	Ernest Phillip Todd Jesse Craig Alan Shawn Clarence Sean Philip Chris Johnny Earl Jimmy Antonio Danny Bryan Tony
	Luis Mike Stanley Leonard Nathan Dale Manuel Rodney Curtis Norman Allen Marvin Vincent Glenn Jeffery Travis Jeff
	Chad Jacob Lee Melvin Alfred Kyle Francis Bradley Jesús Herbert Frederick Ray Joel Edwin Don Eddie Ricky Troy
	Randall Barry Alexander Bernard Mario Leroy Francisco Marcus Micheal Theodore Clifford Miguel Oscar Jay Jim Tom
	Calvin Alex Jon Ronnie Bill Lloyd Tommy Leon Derek Warren Darrell Jerome Floyd Leo Alvin Tim Wesley Gordon Dean
	Greg Jorge Dustin Pedro Derrick Dan Lewis Zachary Corey Herman Maurice Vernon Roberto Clyde Glen Héctor Shane
	Ricardo Sam Rick Lester Brent Ramón Charlie Tyler Gilbert Gene Marc Reginald Rubén Brett Angel Nathaniel Rafael
	Leslie Edgar Milton Raúl Ben Chester Cecil Duane Franklin Andre André René Jérôme François Étienne Benoît Loïc Noël
	Joël Seán Ciarán Pádraig Eoin Dónal Łukasz Paweł Wojciech Michał Krzysztof Grzegorz Jörg Jürgen Günter Søren Bjørn
	Björn Åke Håkon Ólafur Þór Dragan Miloš Nikola Goran Dmitri Sergei Alexei Yuri Vladimir Mikhail Andriy Taras
	Ángel Álvaro Iñaki Joaquín Sebastián Nicolás Tomás Martín Agustín Matías João Gonçalo Luís Giuseppe Giovanni
	Salvatore Francesco Luca Matteo Wei Jun Hao Ming Lei Jian Hiroshi Takeshi Kenji Yusuke Haruto Min-jun Ji-hoon
	Seo-jun Hyun-woo Dũng Minh Tuấn Hùng Quang Mohammed Muhammad Ahmed Omar Ali Hassan Yusuf Ibrahim Khalid Mustafa
	Tariq Raj Arjun Vikram Sanjay Rahul Amit Rohan Suresh Kwame Kofi Kwabena Yaw Chinedu Emeka Oluwaseun Tunde Jomo
	DeShawn Darnell Tyrone Jamal Malik Jean-Luc Jean-Pierre Jean-Baptiste Hans-Peter Karl-Heinz José-Luis Juan-Carlos`)

// Stems and endings of given names outside the common ones.
var (
	scaleGivenStems   = strings.Fields("Al Am An Ar Be Bri Ca Da De El Em Fe Ga Ha Is Ja Ka La Le Li Lu Ma Mi Na Ni No Ra Ri Ro Sa Se Ta Te Va Ya Za Zo")
	scaleGivenMiddles = []string{"", "", "le", "ri", "ma", "na", "li", "ve", "da", "ro"}
	scaleGivenFemale  = []string{"a", "ina", "ia", "elle", "ette", "ie", "ara", "ène", "ija", "ya"}
	scaleGivenMale    = []string{"o", "an", "el", "on", "ir", "as", "us", "ek", "im", "é"}
)

// scaleNames draws names with a real-world frequency shape.
type scaleNames struct {
	family        []string
	female, male  []string
	fam, fem, mal *rand.Zipf
	rnd           *rand.Rand
}

func newScaleNames(rnd *rand.Rand) *scaleNames {
	n := &scaleNames{rnd: rnd, family: tailAfter(scaleFamilyHead, familyTail()),
		female: tailAfter(scaleGivenFemaleHead, givenTail(scaleGivenFemale)),
		male:   tailAfter(scaleGivenMaleHead, givenTail(scaleGivenMale))}
	// Zipf with an offset: ranks 1–30 share the head more evenly than a
	// pure power law, as in real counts, and the tail decays as ~1/k.
	n.fam = rand.NewZipf(rnd, 1.07, 40, uint64(len(n.family)-1))
	n.fem = rand.NewZipf(rnd, 1.1, 15, uint64(len(n.female)-1))
	n.mal = rand.NewZipf(rnd, 1.1, 15, uint64(len(n.male)-1))
	return n
}

// tailAfter appends the tail to the head, leaving out names already in
// the head, so each name has one rank.
func tailAfter(head, tail []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(head)+len(tail))
	for _, list := range [][]string{head, tail} {
		for _, s := range list {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// familyTail builds the rare family names: each group's stems with its
// endings, interleaved across groups so that no tradition takes all the
// ranks just after the head.
func familyTail() []string {
	var byGroup [][]string
	for _, g := range scaleTailGroups {
		var names []string
		for _, e := range g.endings {
			for _, s := range g.stems {
				names = append(names, s+e)
			}
		}
		byGroup = append(byGroup, names)
	}
	var out []string
	for i := 0; ; i++ {
		added := false
		for _, names := range byGroup {
			if i < len(names) {
				out = append(out, names[i])
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

func givenTail(endings []string) []string {
	var out []string
	for _, e := range endings {
		for _, m := range scaleGivenMiddles {
			for _, s := range scaleGivenStems {
				out = append(out, s+m+e)
			}
		}
	}
	return out
}

// Family draws a family name: mostly one, sometimes two hyphenated (a
// married or double name), sometimes with a particle (de la Cruz).
func (n *scaleNames) Family() string {
	name := n.family[n.fam.Uint64()]
	switch r := n.rnd.Float64(); {
	case r < 0.04:
		name += "-" + n.family[n.fam.Uint64()]
	case r < 0.06:
		name = scaleParticles[n.rnd.IntN(len(scaleParticles))] + " " + name
	}
	return name
}

// Given draws a given name for a woman or a man; now and then two given
// names, as entered from a form that has one field.
func (n *scaleNames) Given(female bool) string {
	pick := func() string {
		if female {
			return n.female[n.fem.Uint64()]
		}
		return n.male[n.mal.Uint64()]
	}
	name := pick()
	if n.rnd.Float64() < 0.03 {
		name += " " + pick()
	}
	return name
}

// ScaleName is one person's name as the scale tenants' patients are named.
type ScaleName struct{ Given, Family string }

// ScaleNames draws n names the way the scale tenants do, half women's and
// half men's given names, the same for the same seed: for tests of name
// search that need the real spread (common names, accents, hyphens).
func ScaleNames(seed uint64, n int) []ScaleName {
	names := newScaleNames(rand.New(rand.NewPCG(seed, seed)))
	out := make([]ScaleName, n)
	for i := range out {
		out[i] = ScaleName{Given: names.Given(i%2 == 0), Family: names.Family()}
	}
	return out
}
