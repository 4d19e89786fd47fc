"""Word lists for demo people, businesses and addresses in Tangerang Raya (Sundanese, Betawi
and Javanese names, as in the region's markets)."""

WOMEN_FIRST_NAMES = (
    "Rina", "Siti", "Dewi", "Sri", "Yuli", "Eka", "Lilis", "Euis", "Neneng", "Imas", "Ratna", "Wulan",
    "Fitri", "Ani", "Tuti", "Endang", "Yanti", "Rosita", "Ida", "Ayu", "Mega", "Desi", "Heni", "Iis",
    "Tati", "Maya", "Lina", "Nurhayati", "Rohmah", "Hasanah", "Nia", "Rini", "Susi", "Wati", "Atikah",
    "Cucu", "Enok", "Farida", "Halimah", "Juju", "Kokom", "Leni", "Mira", "Novi", "Popon", "Rahma",
    "Salamah", "Titin", "Umi", "Yayah", "Zahra", "Aisyah", "Intan", "Oktavia", "Permata", "Nining",
)
WOMEN_SURNAMES = (
    "Marlina", "Rahmawati", "Lestari", "Suryani", "Nurhasanah", "Susanti", "Anggraini", "Wulandari",
    "Puspitasari", "Handayani", "Fitriani", "Yuliani", "Kartika", "Oktaviani", "Maryani", "Sumiati",
    "Hamidah", "Safitri", "Rosmawati", "Komalasari", "Purwanti", "Kurniasih", "Herawati", "Solihah",
)
MEN_FIRST_NAMES = (
    "Ahmad", "Budi", "Dedi", "Asep", "Ujang", "Agus", "Hendra", "Rudi", "Yusuf", "Rahmat", "Iwan",
    "Andi", "Joko", "Slamet", "Bambang", "Herman", "Fajar", "Rizky", "Dimas", "Hadi", "Samsul", "Mamat",
    "Ade", "Cecep", "Eko", "Taufik", "Irfan", "Wahyu", "Sodikin", "Jaenudin", "Baihaki", "Dadang",
    "Entis", "Firman", "Gilang", "Haris", "Ilham", "Jajang", "Komarudin", "Lukman", "Maman", "Nanang",
    "Oman", "Pepen", "Romli", "Sarip", "Teguh", "Usman", "Wawan", "Yayan", "Zainal",
)
MEN_SURNAMES = (
    "Setiawan", "Hidayat", "Kurniawan", "Saputra", "Hermawan", "Firmansyah", "Wijaya", "Santoso",
    "Maulana", "Pratama", "Permana", "Gunawan", "Ramdani", "Sulaiman", "Hakim", "Syahputra", "Fauzi",
    "Nugroho", "Prasetyo", "Wibowo", "Sopian", "Suhendar", "Mulyana", "Rosadi", "Sanusi", "Jayadi",
)

# How a business is named after its owner: "Keripik Singkong Bu Rina", "Katering Bang Jali".
WOMEN_HONORIFICS = ("Bu", "Bu", "Mbak", "Teh", "Mpok", "Ceu")
MEN_HONORIFICS = ("Pak", "Pak", "Bang", "Kang", "Mas")

# Good-luck words shop signs are made of: "Percetakan Sinar Jaya Cipondoh".
BUSINESS_WORDS = (
    "Berkah", "Barokah", "Sinar Jaya", "Mandiri", "Sejahtera", "Makmur", "Amanah", "Cahaya", "Harapan",
    "Sumber Rejeki", "Maju Bersama", "Karya Utama", "Sentosa", "Abadi", "Sakinah", "Lancar Jaya",
    "Mulia", "Bahagia", "Jaya Abadi", "Rizki", "Nusantara", "Kencana", "Mekar Sari", "Tunas Harapan",
    "Putra Mandiri", "Sinar Mentari", "Bintang", "Pelangi", "Citra", "Anugerah", "Mitra Usaha",
)
FLOWERS = ("Cempaka", "Melati", "Anggrek", "Mawar", "Kenanga", "Teratai", "Kemuning", "Seruni", "Dahlia")

# Street names: each kota's main roads, plus the lanes a home business sits on.
MAIN_ROADS = {
    "36.74": (
        "Jl. Siliwangi", "Jl. Raya Puspiptek", "Jl. Pajajaran", "Jl. Surya Kencana", "Jl. Benda Raya",
        "Jl. Raya Serpong", "Jl. Ki Hajar Dewantara", "Jl. Raya Ciater", "Jl. Raya Jombang", "Jl. Cirendeu Raya",
        "Jl. Ir. H. Juanda", "Jl. Raya Ceger", "Jl. Pondok Kacang Raya", "Jl. WR Supratman", "Jl. Dewi Sartika",
        "Jl. Raya Muncul", "Jl. Raya Pondok Aren", "Jl. Raya Pakujaya", "Jl. Rawa Buntu", "Jl. Aria Putra",
    ),
    "36.71": (
        "Jl. Daan Mogot", "Jl. KH Hasyim Ashari", "Jl. Imam Bonjol", "Jl. MH Thamrin", "Jl. Perintis Kemerdekaan",
        "Jl. Gatot Subroto", "Jl. HOS Cokroaminoto", "Jl. Moh. Toha", "Jl. Veteran", "Jl. Raden Saleh",
        "Jl. Raya Cipondoh", "Jl. Marsekal Suryadarma", "Jl. Husein Sastranegara", "Jl. Raya Periuk",
        "Jl. Pembangunan", "Jl. Raya Karawaci", "Jl. Raya Pinang", "Jl. Kisamaun",
    ),
    "36.03": (
        "Jl. Raya Serang", "Jl. Raya Kresek", "Jl. Raya Mauk", "Jl. Raya Pasar Kemis", "Jl. Raya Cikupa",
        "Jl. Raya Teluknaga", "Jl. Raya Balaraja", "Jl. Raya Sepatan", "Jl. Raya Kronjo", "Jl. Raya Curug",
        "Jl. Raya Rajeg", "Jl. Raya Legok", "Jl. Raya Cisauk", "Jl. Raya Tigaraksa", "Jl. Raya Kosambi",
        "Jl. Raya Pakuhaji", "Jl. Raya Jayanti", "Jl. Raya Cisoka", "Jl. Raya Panongan",
    ),
}
LANE_NAMES = (
    "Jl. Masjid Al-Ikhlas", "Jl. H. Sarmah", "Jl. Haji Nawi", "Gg. Melati", "Gg. Kenanga", "Jl. Dahlia",
    "Jl. Cendrawasih", "Jl. Merpati", "Jl. Kutilang", "Jl. Nusa Indah", "Jl. Bougenville", "Gg. Mushola",
    "Jl. Pendidikan", "Jl. Swadaya", "Jl. Gotong Royong", "Jl. Karya Bakti", "Jl. Kavling DPR",
    "Jl. Assalam", "Jl. Haji Gedad", "Gg. Haji Minggu", "Jl. Rawa Buntu", "Jl. Pala", "Jl. Manggis",
    "Jl. Rambutan", "Jl. Delima", "Gg. Sawo", "Jl. Bambu Apus", "Jl. Empang", "Jl. Kebon Jeruk",
)
HOUSING_ESTATES = (
    "Pamulang Permai", "Villa Pamulang", "Puri Bintaro", "Taman Royal", "Citra Raya", "Griya Serpong",
    "Taman Kirana", "Graha Raya", "Perumnas Karawaci", "Bukit Nusa Indah", "Villa Dago", "Reni Jaya",
    "Pondok Maharta", "Taman Cibodas", "Puri Permai", "Bumi Indah", "Griya Asri", "Sudimara Residence",
)

# Banks a UMKM in Banten is paid into, with their account-number lengths.
BANKS = (("BRI", 15), ("BRI", 15), ("BNI", 10), ("Mandiri", 13), ("BCA", 10), ("Bank BJB", 13), ("BSI", 10))

# WhatsApp numbers: Indonesian mobile prefixes after +62.
MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "852", "853", "857", "858", "877", "878",
                   "895", "896", "838", "881")

# Tax offices (KPP Pratama) by kota/kabupaten code: issuers of the Suket PP 55.
TAX_OFFICES = {
    "36.74": ("KPP Pratama Serpong", "KPP Pratama Pondok Aren", "KPP Pratama Ciputat"),
    "36.71": ("KPP Pratama Tangerang Barat", "KPP Pratama Tangerang Timur", "KPP Pratama Batuceper"),
    "36.03": ("KPP Pratama Tigaraksa", "KPP Pratama Cikupa", "KPP Pratama Kosambi"),
}
