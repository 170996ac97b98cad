"""benches/ioc_mix.py DIR MIB — a synthetic full-file-system-like tree for benches/ioc.sh:
ordinary SQLite databases, binary and XML property lists, JSON, logs and binary files whose text
uses the ordinary words Pegasus process names collide with (`payload`, `pcsd`, `fmld` ...),
plus a few real positives in context. Prints the true positives planted, one a line, as
`member<TAB>indicator value`."""
import json, os, plistlib, random, sqlite3, sys

root, mib = sys.argv[1], float(sys.argv[2])
rnd = random.Random(20261206)
words = ("the kernel process started connection wifi safari message photos backup sync "
         "cellular location daemon service request response error ok payload update "
         "network session token user device battery").split()
# Ordinary words and strings that are also Pegasus process names (decoys in prose and data).
collide = ["payload", "pcsd", "fmld", "gssdp", "updaterd", "logseld", "natgd"]
hosts = ["www.example.org", "api.apple.com", "fr.wikipedia.org", "cdn.example.net",
         "mail.example.com", "gateway.icloud.com"]


def p(*a):
    path = os.path.join(root, *a)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def sentence():
    ws = [rnd.choice(words) for _ in range(rnd.randrange(6, 16))]
    if rnd.random() < 0.05:
        ws.insert(rnd.randrange(len(ws)), rnd.choice(collide))
    return " ".join(ws)


budget = int(mib * (1 << 20))
spent = 0
n = 0
while spent < budget:
    n += 1
    kind = n % 5
    if kind == 0:  # an app database with text cells
        path = p(f"private/var/mobile/Containers/Data/Application/{n:05d}/Library/app.sqlite")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE ZMESSAGE (Z_PK INTEGER PRIMARY KEY, ZTEXT TEXT, ZURL TEXT, ZSENDER TEXT, ZBLOB BLOB)")
        rows = [(i, sentence(), f"https://{rnd.choice(hosts)}/{rnd.choice(words)}",
                 rnd.choice(words) + "@example.com", rnd.randbytes(64)) for i in range(4000)]
        db.executemany("INSERT INTO ZMESSAGE VALUES (?,?,?,?,?)", rows)
        db.commit()
        db.close()
    elif kind == 1:  # preferences, binary and XML
        d = {"Label": f"com.apple.{rnd.choice(words)}", "LastRun": sentence(),
             "Paths": [f"/usr/libexec/{rnd.choice(words)}d" for _ in range(20)],
             "Notes": [sentence() for _ in range(200)], "Data": rnd.randbytes(2048)}
        fmt = plistlib.FMT_BINARY if n % 2 else plistlib.FMT_XML
        path = p(f"private/var/mobile/Library/Preferences/com.example.{n:05d}.plist")
        with open(path, "wb") as f:
            plistlib.dump(d, f, fmt=fmt)
    elif kind == 2:  # a log
        path = p(f"private/var/log/app-{n:05d}.log")
        with open(path, "w") as f:
            for i in range(20000):
                f.write(f"2021-08-30 10:{i % 60:02d}:{i % 60:02d} localhost {rnd.choice(words)}[{rnd.randrange(99, 3000)}]: {sentence()} {rnd.choice(hosts)}\n")
    elif kind == 3:  # JSON analytics
        path = p(f"private/var/mobile/Library/Logs/analytics-{n:05d}.json")
        with open(path, "w") as f:
            json.dump({"events": [{"name": rnd.choice(words), "message": sentence(),
                                   "host": rnd.choice(hosts)} for _ in range(8000)]}, f)
    else:  # binary
        path = p(f"private/var/mobile/Media/DCIM/IMG_{n:05d}.bin")
        with open(path, "wb") as f:
            f.write(rnd.randbytes(4 << 20))
    spent += os.path.getsize(path)

# The real positives, in context.
db = sqlite3.connect(p("private/var/mobile/Library/TCC/TCC.db"))
db.execute("CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER)")
db.executemany("INSERT INTO access VALUES (?,?,0,2)",
               [("kTCCServiceCamera", "com.apple.camera"), ("kTCCServiceLiverpool", "roleaccountd")])
db.commit(); db.close()
db = sqlite3.connect(p("private/var/wireless/Library/Databases/DataUsage.sqlite"))
db.execute("CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZPROCNAME TEXT, ZBUNDLENAME TEXT)")
db.executemany("INSERT INTO ZPROCESS VALUES (?,?,?)",
               [(1, "MobileSafari", "com.apple.mobilesafari"), (2, "bh", None)])
db.commit(); db.close()
with open(p("private/var/db/diagnostics/shutdown.log"), "w") as f:
    f.write("\t\tremaining client pid: 1433 (/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd)\n")
with open(p("private/var/mobile/Library/Safari/History.tsv"), "w") as f:
    f.write("1630311300\thttps://bun54l2b67.get1tn0w.free247downloads.com:30495/\n")
positives = [
    ("private/var/mobile/Library/TCC/TCC.db", "roleaccountd"),
    ("private/var/wireless/Library/Databases/DataUsage.sqlite", "bh"),
    ("private/var/db/diagnostics/shutdown.log", "roleaccountd"),
    ("private/var/mobile/Library/Safari/History.tsv", "free247downloads.com"),
]
for m, v in positives:
    print(f"{m}\t{v}")
