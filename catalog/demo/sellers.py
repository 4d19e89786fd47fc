"""The kinds of business the demo sellers run ("trades"): which categories each sells in, how
its shop sign reads, and whether it is home-industry food (P-IRT, halal) or a koperasi."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Trade:
    key: str
    categories: tuple[str, ...]  # child category slugs; the first is the main one
    # Shop-sign patterns: {first} owner's first name, {hon} Bu/Pak/…, {word} a good-luck word,
    # {flower} a flower, {place} the kecamatan.
    names: tuple[str, ...]
    makes: str  # "what we make", used in the seller's description
    weight: int = 2  # how often the trade appears among generated sellers
    women_share: float = 0.5  # chance the owner is a woman
    food: bool = False  # processed food: P-IRT, halal, sometimes BPOM MD
    koperasi: bool = False
    sni: bool = False  # larger sellers of this trade may hold an SNI certificate


TRADES: tuple[Trade, ...] = (
    Trade("keripik", ("keripik-camilan",),
          ("Keripik Singkong {hon} {first}", "Keripik {first} {place}", "Camilan {word} {place}",
           "Rumah Keripik {word}", "Basreng {hon} {first}", "Kripik Pedas {word} {place}"),
          "keripik, basreng dan aneka camilan kering", weight=3, women_share=0.8, food=True),
    Trade("kue", ("kue-roti",),
          ("Dapur Kue {hon} {first}", "Roti {word} {place}", "Bolu {hon} {first}", "{first} Bakery {place}",
           "Kue Kering {hon} {first}", "Roti Buaya {hon} {first}"),
          "kue kering, bolu dan roti rumahan", weight=3, women_share=0.85, food=True),
    Trade("sambal", ("sambal-bumbu", "makanan-beku"),
          ("Sambal {hon} {first}", "Dapur Sambal {word}", "Bumbu Dapur {hon} {first}", "Sambal Roa {first} {place}"),
          "sambal botol dan bumbu masak siap pakai", weight=2, women_share=0.75, food=True),
    Trade("frozen", ("makanan-beku", "keripik-camilan"),
          ("Frozen Food {first} {place}", "Dimsum {word} {place}", "Pempek {hon} {first}", "Otak-otak {hon} {first}"),
          "makanan beku seperti dimsum, nugget dan pempek", weight=2, women_share=0.7, food=True),
    Trade("kopi", ("kopi", "minuman-kemasan"),
          ("Kopi {word} {place}", "Kedai Kopi {first}", "Roastery {word} {place}", "Kopi Kebun {hon} {first}"),
          "kopi sangrai, kopi bubuk dan kopi susu literan", weight=2, women_share=0.3, food=True),
    Trade("jamu", ("teh-herbal", "minuman-kemasan"),
          ("Jamu {hon} {first}", "Herbal {word} {place}", "Wedang {word} {place}", "Rosella {flower} {place}"),
          "jamu segar, teh herbal dan minuman rempah", weight=2, women_share=0.8, food=True),
    Trade("batik", ("batik", "kemeja"),
          ("Batik {flower} {place}", "Batik {word} {place}", "Sanggar Batik {first}", "Rumah Batik {place}"),
          "kain batik tulis dan cap bermotif khas Tangerang serta kemeja batik", weight=3, women_share=0.6),
    Trade("konveksi", ("kaos", "kemeja"),
          ("Konveksi {word} {place}", "Sablon {word} {place}", "Konveksi {hon} {first}", "Distro {word}"),
          "kaos, kemeja seragam dan sablon pesanan", weight=3, women_share=0.35),
    Trade("hijab", ("hijab",),
          ("Hijab {first}", "Butik Muslimah {flower}", "Gamis {hon} {first}", "{first} Hijab {place}"),
          "hijab, gamis dan mukena", weight=2, women_share=0.95),
    Trade("anyaman", ("anyaman", "souvenir"),
          ("Kerajinan Bambu {place}", "Anyaman {word} {place}", "Topi Bambu {hon} {first}"),
          "topi bambu, tas dan keranjang anyaman", weight=2, women_share=0.6),
    Trade("keramik", ("keramik", "souvenir"),
          ("Gerabah {word} {place}", "Keramik {flower} {place}", "Studio Keramik {first}"),
          "keramik dan gerabah buatan tangan", weight=1, women_share=0.4),
    Trade("souvenir", ("souvenir",),
          ("Souvenir {word} {place}", "Grafir {word}", "Cinderamata {flower} {place}"),
          "souvenir, plakat dan barang promosi pesanan", weight=2, women_share=0.4),
    Trade("dapur", ("peralatan-dapur", "kebersihan"),
          ("Toko Perabot {word} {place}", "Kayu Jati {word}", "Perkakas Dapur {hon} {first}"),
          "perkakas dapur dari kayu, bambu dan batu", weight=2, women_share=0.4),
    Trade("kebersihan", ("kebersihan",),
          ("Sabun {flower} {place}", "Sabun Herbal {hon} {first}", "Produk Bersih {word}"),
          "sabun cair, karbol dan perlengkapan kebersihan", weight=2, women_share=0.6, sni=True),
    Trade("atk", ("kertas", "alat-tulis", "map-arsip"),
          ("Toko ATK {word} {place}", "CV {word} Stationery", "ATK {word} {place}", "Toko Buku & ATK {word}"),
          "alat tulis kantor, kertas dan perlengkapan arsip untuk kantor dan sekolah", weight=4,
          women_share=0.45, sni=True),
    Trade("katering", ("nasi-box", "snack-box", "tumpeng"),
          ("Katering {hon} {first}", "Dapur {word} {place}", "Nasi Kotak {word}", "Katering {flower} {place}",
           "Rumah Makan {hon} {first}"),
          "nasi kotak, snack box dan tumpeng untuk rapat dan acara", weight=5, women_share=0.75, food=True),
    Trade("snack", ("snack-box", "kue-roti"),
          ("Snack Box {hon} {first}", "Kue Basah {word} {place}", "Jajanan Pasar {hon} {first}"),
          "kue basah, jajanan pasar dan snack box", weight=2, women_share=0.9, food=True),
    Trade("percetakan", ("spanduk", "kartu-nama", "undangan"),
          ("Percetakan {word} {place}", "Digital Printing {word}", "Grafika {word} {place}", "Percetakan {hon} {first}"),
          "spanduk, kartu nama, undangan dan cetakan kantor", weight=4, women_share=0.25),
    Trade("laundry", ("laundry",),
          ("Laundry {word} {place}", "{first} Laundry", "Laundry Kiloan {hon} {first}"),
          "cuci kiloan, bed cover dan laundry kantor", weight=1, women_share=0.6),
    Trade("servis", ("servis-elektronik",),
          ("Servis Elektronik {word}", "Teknik {word} {place}", "Servis AC {hon} {first}", "Komputer {word} {place}"),
          "servis AC, komputer, printer dan jaringan kantor", weight=2, women_share=0.1),
    Trade("desain", ("desain", "kartu-nama"),
          ("Studio Desain {word}", "{first} Kreatif {place}", "Foto Produk {word} {place}"),
          "desain logo, kemasan dan foto produk untuk UMKM", weight=1, women_share=0.4),
    Trade("koperasi", ("keripik-camilan", "kue-roti", "sambal-bumbu", "teh-herbal", "batik", "anyaman"),
          ("Koperasi Wanita {word} {place}", "Koperasi Produsen UMKM {place}", "KSU {word} {place}",
           "Koperasi Serba Usaha {word} {place}", "Koperasi Pesantren {word} {place}"),
          "produk anggota: camilan, kue, sambal, minuman herbal, batik dan anyaman", weight=5,
          women_share=0.7, food=True, koperasi=True),
    Trade("kpri", ("kertas", "alat-tulis", "map-arsip", "snack-box", "nasi-box"),
          ("KPRI {word} {place}", "Koperasi Konsumen {word} {place}", "Koperasi Karyawan {word}"),
          "ATK, konsumsi rapat dan kebutuhan kantor", weight=2, women_share=0.5, food=True, koperasi=True),
)

TRADES_BY_KEY = {trade.key: trade for trade in TRADES}
