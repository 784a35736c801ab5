import ChannelRegistry
import Foundation
import Ingest
import Testing
import TestSupport
import Warehouse

/// Runs the built `leadledger` binary the way a user does.
@Suite(.serialized) struct EndToEndTests {
    let leadledger = builtProduct("leadledger")
    let demo = packageRoot() + "/datasets/demo"

    @Test func demoBuildsAWarehouseAndPrintsTheComparison() throws {
        let dir = TemporaryDirectory()
        let r = try runCommand(leadledger, ["demo", "--db", dir.file("demo.sqlite")], currentDirectory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Channel comparison"))
        #expect(r.stdout.contains("rejected touches.csv:42:1 (occurred_at)"))
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("social ") })
        #expect(lines.contains { $0.hasPrefix("total ") })
        #expect(r.stderr.isEmpty, "progress must stay quiet when not on a terminal: \(r.stderr)")
        // Each channel's own report works on the demo warehouse.
        let seo = try runCommand(leadledger, ["report", "channel", "seo", "--by", "month", "--db", dir.file("demo.sqlite"), "--format", "csv"])
        #expect(seo.status == 0)
        #expect(seo.stdout.hasPrefix("period,spend,clicks,impressions,position,ctr\r\n2026-01,"))
        let events = try runCommand(leadledger, ["report", "channel", "events", "--by", "campaign", "--db", dir.file("demo.sqlite")])
        #expect(events.stdout.contains("Vietnam Retail Expo 2026"))
        // Running it again rebuilds the demo warehouse from scratch.
        let again = try runCommand(leadledger, ["demo", "--db", dir.file("demo.sqlite")], currentDirectory: dir.path)
        #expect(again.status == 0 && again.stdout == r.stdout)
    }

    @Test func demoJSONIsConsistent() throws {
        let dir = TemporaryDirectory()
        let r = try runCommand(leadledger, ["demo", "--db", dir.file("demo.sqlite"), "--format", "json"], currentDirectory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let total = try #require(rows.last)
        #expect(total["channel"] as? String == "total")
        let channels = rows.dropLast()
        #expect(channels.reduce(0) { $0 + ($1["leads"] as? Int ?? 0) } == total["leads"] as? Int)
        #expect(channels.reduce(0) { $0 + ($1["customers"] as? Int ?? 0) } == total["customers"] as? Int)
        // 2,000 CRM leads plus the 56 people the referral ledger knows only as invited.
        #expect(total["leads"] as? Int == 2056)
        // Every plugin's channel, the custom ones of the demo's grouping, and direct; no `other`:
        // every demo touch has a channel.
        let grouping = try ChannelGrouping.parse(String(contentsOfFile: packageRoot() + "/datasets/demo/grouping.txt", encoding: .utf8), fileName: "grouping.txt",
                                                 knownChannels: ChannelGrouping.builtInChannels(ChannelRegistry.all))
        #expect(!grouping.customChannels.isEmpty)
        #expect(Set(channels.compactMap { $0["channel"] as? String }) == Set(ChannelRegistry.all.map(\.id) + grouping.customChannels.map(\.id) + ["direct"]))
        for row in rows {
            // The keys issue 2 promised, and the ones the full report added.
            #expect(Set(row.keys) == ["channel", "spend", "leads", "cost_per_lead", "customers", "conversion_rate", "cost_per_acquisition",
                                      "revenue", "roas", "median_days_to_convert", "impressions", "clicks", "ctr", "cost_per_click", "mqls", "sqls",
                                      "conversion_rate_low", "conversion_rate_high", "p90_days_to_convert", "small_sample", "spend_covers"])
            if row["channel"] as? String != "total", let spend = row["spend"] as? Double, let leads = row["leads"] as? Int, leads > 0 {
                #expect(abs((row["cost_per_lead"] as? Double ?? -1) - spend / Double(leads)) < 0.005)
            }
        }
        // Issue #25: the total divides known spend by the leads, customers and revenue of the
        // channels with spend only — not direct's — and says which channels those are.
        let covered = channels.filter { $0["spend"] as? Double != nil }
        #expect((total["spend_covers"] as? String)?.split(separator: " ").map(String.init) == covered.compactMap { $0["channel"] as? String }.sorted())
        #expect(!covered.contains { $0["channel"] as? String == "direct" })
        let spend = try #require(total["spend"] as? Double)
        let coveredLeads = covered.reduce(0) { $0 + ($1["leads"] as? Int ?? 0) }
        let coveredCustomers = covered.reduce(0) { $0 + ($1["customers"] as? Int ?? 0) }
        let coveredRevenue = covered.reduce(0.0) { $0 + ($1["revenue"] as? Double ?? 0) }
        #expect(abs((total["cost_per_lead"] as? Double ?? -1) - spend / Double(coveredLeads)) < 0.005)
        #expect(abs((total["cost_per_acquisition"] as? Double ?? -1) - spend / Double(coveredCustomers)) < 0.005)
        #expect(abs((total["roas"] as? Double ?? -1) - coveredRevenue / spend) < 0.005)
    }

    @Test func groupingIsSetShownAndClearedWithTheBinary() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("w.sqlite")
        #expect(try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db]).status == 0)
        #expect(try runCommand(leadledger, ["import", "touches", demo + "/touches.csv", "--db", db]).status == 0)
        let bad = try runCommand(leadledger, ["grouping", "set", dir.write("bad.txt", "channel tv TV\nrule tv colour=red\n"), "--db", db])
        #expect(bad.status != 0 && bad.stderr.contains("bad.txt:2: \"colour\" is not a field"))
        let set = try runCommand(leadledger, ["grouping", "set", demo + "/grouping.txt", "--db", db])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("moved social → zalo"))
        let show = try runCommand(leadledger, ["grouping", "show", "--db", db])
        #expect(show.stdout.contains("zalo ← utm_source=zalo") && show.stdout.contains("12 paid_search ← "))
        let report = try runCommand(leadledger, ["report", "channels", "--format", "csv", "--db", db])
        #expect(report.stdout.contains("\nzalo,"))
        let clear = try runCommand(leadledger, ["grouping", "clear", "--db", db])
        #expect(clear.status == 0 && clear.stdout.contains("moved zalo → social"))
    }

    @Test func importIsIdempotentAndReportsRejects() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("w.sqlite")
        let first = try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db])
        #expect(first.status == 0)
        #expect(first.stdout.contains("2,000 new"))
        #expect(first.stdout.contains("rejected leads.csv:13:3 (email): is not an email address"))
        #expect(!first.stdout.contains("not-an-email"))
        let second = try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db])
        #expect(second.status == 0)
        #expect(second.stdout.contains("already imported (run #1"))
        #expect(second.stdout.contains("nothing changed"))
    }

    @Test func theWarehouseLocationComesFromTheEnvironment() throws {
        let dir = TemporaryDirectory()
        let r = try runCommand(leadledger, ["init"], environment: ["LEADLEDGER_DB": dir.file("env.sqlite")], currentDirectory: dir.path)
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("env.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("leadledger.sqlite")))
    }

    /// A process killed in the middle of an import leaves the warehouse exactly as it was: with
    /// the WAL (a small file), and with the rollback journal a large file is written with (a
    /// small file taken for a large one), whose journal the next connection rolls back.
    @Test(arguments: [false, true]) func aKilledImportLeavesTheWarehouseUnchanged(asLargeFile: Bool) throws {
        let dir = TemporaryDirectory()
        let db = dir.file("w.sqlite")
        #expect(try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db]).status == 0)
        let before = try runCommand("/usr/bin/env", ["sqlite3", db, Self.countsSQL])
        let large = asLargeFile ? ["--test-large-import-bytes", "0"] : []
        let killed = try runCommand(leadledger, ["import", "touches", demo + "/touches.csv", "--db", db, "--test-kill-after-rows", "3000"] + large)
        #expect(killed.killedBySignal && killed.status == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: db + "-journal") == asLargeFile)
        let after = try runCommand("/usr/bin/env", ["sqlite3", db, Self.countsSQL])
        #expect(after.stdout == before.stdout)
        #expect(after.stdout.contains("|0|"))  // no touchpoints
        // The same import then succeeds in full.
        let retried = try runCommand(leadledger, ["import", "touches", demo + "/touches.csv", "--db", db])
        // Every touch row but the header and the two deliberately bad rows.
        let rows = try String(contentsOfFile: demo + "/touches.csv", encoding: .utf8).split(separator: "\n").count - 3
        #expect(retried.status == 0 && retried.stdout.contains("\(rows / 1000),\(String(format: "%03d", rows % 1000)) new"))
        #expect(try runCommand("/usr/bin/env", ["sqlite3", db, "PRAGMA journal_mode"]).stdout == "wal\n")
    }

    /// The same for a large first leads file, whose run drops the leads' indexes to build them
    /// at its end (``LeadIdentity/deferIndexes()``): killed half-way, the warehouse has
    /// no lead and every index it had; imported again, the leads and the indexes are there.
    @Test func aKilledFirstLeadsImportKeepsTheLeadsIndexes() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("w.sqlite")
        #expect(try runCommand(leadledger, ["init", "--db", db]).status == 0)
        let indexesSQL = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' ORDER BY name"
        let indexes = try runCommand("/usr/bin/env", ["sqlite3", db, indexesSQL]).stdout
        #expect(indexes.split(separator: "\n").count == 3)
        let killed = try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db,
                                                 "--test-kill-after-rows", "1500", "--test-large-import-bytes", "0"])
        #expect(killed.killedBySignal && killed.status == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: db + "-journal"))
        #expect(try runCommand("/usr/bin/env", ["sqlite3", db, "SELECT count(*) FROM leads"]).stdout == "0\n")
        #expect(try runCommand("/usr/bin/env", ["sqlite3", db, indexesSQL]).stdout == indexes)
        let retried = try runCommand(leadledger, ["import", "leads", demo + "/leads.csv", "--db", db, "--test-large-import-bytes", "0"])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try runCommand("/usr/bin/env", ["sqlite3", db, indexesSQL]).stdout == indexes)
        #expect(try runCommand("/usr/bin/env", ["sqlite3", db, "PRAGMA integrity_check"]).stdout == "ok\n")
    }

    /// Every model credits exactly the conversions in range, per unit and model in JSON.
    @Test func attributionOnTheDemoSumsToTheConversions() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("demo.sqlite")
        #expect(try runCommand(leadledger, ["demo", "--db", db]).status == 0)
        let r = try runCommand(leadledger, ["attribute", "--model", "all", "--db", db, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let conversions = try String(contentsOfFile: demo + "/conversions.csv", encoding: .utf8).split(separator: "\n").count - 2  // header, one bad row
        var byModel: [String: Double] = [:]
        for row in rows { byModel[row["model"] as! String, default: 0] += row["conversions"] as! Double }
        #expect(Set(byModel.keys) == ["first", "last", "linear", "time-decay", "position", "w-shaped", "full-path", "markov", "shapley"])
        for (model, total) in byModel { #expect(abs(total - Double(conversions)) < 1e-3, "\(model)") }
        let details = try runCommand(leadledger, ["attribute", "--model", "markov", "--details", "--by", "campaign", "--db", db])
        #expect(details.status == 0 && details.stdout.contains("Removal effect") && details.stdout.contains("Transition matrix"))
    }

    @Test func attributionReadsAggregatedPathFiles() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("paths.csv", "path;total_conversions;total_conversion_value;total_null\nA > B;1;100;0\nA;0;0;1\nB;1;50;0\n")
        let r = try runCommand(leadledger, ["attribute", "--paths", file, "--model", "markov", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        // The hand-worked chain of docs/attribution.md: A 2/3, B 4/3.
        #expect(r.stdout.contains("A,markov,0.6667,") && r.stdout.contains("B,markov,1.3333,"))
        let refused = try runCommand(leadledger, ["attribute", "--paths", file, "--model", "time-decay"])
        #expect(refused.status != 0 && refused.stderr.contains("needs touch times or stages"))
        let bad = try runCommand(leadledger, ["attribute", "--paths", dir.write("bad.csv", "A > B;x;0;0\n")])
        #expect(bad.status != 0 && bad.stderr.contains("line 1: \"x\" is not a non-negative number"))
    }

    @Test func snapshotCommandsRoundTripAndReportDamage() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("demo.sqlite")
        #expect(try runCommand(leadledger, ["demo", "--db", db]).status == 0)
        let export = try runCommand(leadledger, ["snapshot", "export", dir.file("q1.tar"), "--archive", "--db", db])
        #expect(export.status == 0 && export.stdout.contains("14 tables"))
        #expect(try runCommand(leadledger, ["snapshot", "verify", dir.file("q1.tar")]).status == 0)
        let restore = try runCommand(leadledger, ["snapshot", "import", dir.file("q1.tar"), "--db", dir.file("copy.sqlite")])
        #expect(restore.status == 0, "\(restore.stderr)")
        let again = try runCommand(leadledger, ["snapshot", "import", dir.file("q1.tar"), "--db", dir.file("copy.sqlite")])
        #expect(again.status != 0 && again.stderr.contains("already holds data"))
        let a = try runCommand(leadledger, ["report", "channels", "--db", db, "--format", "csv"]).stdout
        let b = try runCommand(leadledger, ["report", "channels", "--db", dir.file("copy.sqlite"), "--format", "csv"]).stdout
        #expect(a == b)
        // Damage the archive's last table (just after its tar header) and verify names it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("q1.tar")))
        let header = try #require(bytes.range(of: Data("q1/rejects.csv.gz".utf8)))
        bytes[header.lowerBound + 512 + 40] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dir.file("q1.tar")))
        let damaged = try runCommand(leadledger, ["snapshot", "verify", dir.file("q1.tar")])
        #expect(damaged.status == 1 && damaged.stderr.contains("rejects:"), "\(damaged.stderr)")
    }

    @Test func scoresSegmentsAndPersonaOnTheDemo() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("demo.sqlite")
        #expect(try runCommand(leadledger, ["demo", "--db", db]).status == 0)
        let scores = try runCommand(leadledger, ["score", "--db", db, "--format", "json"])
        #expect(scores.status == 0, "\(scores.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(scores.stdout.utf8)) as? [[String: Any]])
        let temperatures = Set(rows.compactMap { $0["temperature"] as? String })
        #expect(temperatures == ["hot", "warm", "cold", "dormant"])
        let scoresInOrder = rows.compactMap { $0["score"] as? Double }
        #expect(scoresInOrder == scoresInOrder.sorted(by: >))
        let hot = try runCommand(leadledger, ["score", "--db", db, "--temperature", "hot", "--top", "5"])
        #expect(hot.status == 0 && hot.stdout.contains(" hot "))
        let check = try runCommand(leadledger, ["score", "--db", db, "--validate", "--as-of", "2026-02-15", "--format", "csv"])
        #expect(check.status == 0 && check.stdout.hasPrefix("temperature,leads,converted,conversion_rate\r\nhot,"))
        let segments = try runCommand(leadledger, ["segments", "--db", db])
        #expect(segments.status == 0 && segments.stdout.contains("Vietnamese SMB retail") && segments.stdout.contains("leadledger segments channels"))
        let persona = try runCommand(leadledger, ["segments", "persona", "--db", db, "--channel", "social"])
        #expect(persona.status == 0 && persona.stdout.contains("Buyer persona (social)"))
        let warehouse = try Database(path: db)
        let leads = try #require(try warehouse.scalarInt("SELECT count(*) FROM leads"))
        // Which channels reach the targets, in every format: each lead counted once, targets within it.
        for format in ["table", "json", "csv"] {
            let channels = try runCommand(leadledger, ["segments", "channels", "--db", db, "--format", format])
            #expect(channels.status == 0 && channels.stdout.contains("social"), "\(format): \(channels.stderr)")
        }
        let channels = try runCommand(leadledger, ["segments", "channels", "--db", db, "--format", "json"])
        let split = try #require(try JSONSerialization.jsonObject(with: Data(channels.stdout.utf8)) as? [[String: Any]])
        #expect(split.reduce(0) { $0 + ($1["leads"] as! Int) } == Int(leads))
        #expect(split.allSatisfy { ($0["target_leads"] as! Int) + ($0["potential_only"] as! Int) == $0["leads"] as! Int })
        // The persona's JSON lists every value: per attribute, the leads over its values are the
        // leads with it known (one value each), whatever --min-customers says.
        let all = try runCommand(leadledger, ["segments", "persona", "--db", db, "--format", "json", "--min-customers", "1000"])
        let traits = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        for attribute in ["country", "region", "company_size"] {
            let known = try #require(try warehouse.scalarInt("SELECT count(*) FROM leads WHERE \(attribute) <> ''"))
            #expect(traits.filter { $0["attribute"] as? String == attribute }.reduce(0) { $0 + ($1["leads"] as! Int) } == Int(known), "\(attribute)")
        }
        // Among social's leads some region has no customer: listed, with lift 0.
        let social = try runCommand(leadledger, ["segments", "persona", "--db", db, "--format", "json", "--channel", "social"])
        let socialTraits = try #require(try JSONSerialization.jsonObject(with: Data(social.stdout.utf8)) as? [[String: Any]])
        #expect(socialTraits.contains { $0["attribute"] as? String == "region" && $0["customers"] as? Int == 0 && $0["lift"] as? Double == 0 })
    }

    /// The bad-input corpus (Tests/BadInput/cases.tsv): each class of bad file gets its message
    /// with file:line:column, its good rows land, a refused file changes nothing, and no reason or
    /// kept row carries a personal value.
    @Test func badInputCorpus() throws {
        let corpus = packageRoot() + "/Tests/BadInput/"
        let text = try String(contentsOfFile: corpus + "cases.tsv", encoding: .utf8)
        let cases = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("file\t") }.map { $0.split(separator: "\t").map(String.init) }
        #expect(cases.count >= 12)
        let tables = ["leads", "lead_keys", "touchpoints", "costs", "channel_metrics", "conversions", "exchange_rates", "import_runs", "rejects"]
        for c in cases {
            let (file, source, options, status, landed, messages) = (c[0], c[1], c[2], Int32(c[3])!, Int(c[4])!, c[5].components(separatedBy: " | "))
            let dir = TemporaryDirectory()
            let db = dir.file("w.sqlite")
            #expect(try runCommand(leadledger, ["import", "leads", corpus + "base-leads.csv", "--db", db]).status == 0)
            func counts() throws -> [String: Int64] {
                let d = try Database(path: db)
                return try Dictionary(uniqueKeysWithValues: tables.map { ($0, try d.scalarInt("SELECT count(*) FROM \($0)") ?? 0) })
            }
            let before = try counts()
            let r = try runCommand(leadledger, ["import", source, corpus + file, "--db", db] + (options == "-" ? [] : [options]))
            let output = r.stdout + r.stderr
            #expect(r.status == status, "\(file): \(output)")
            for m in messages { #expect(output.contains(m), "\(file): expected \(m) in\n\(output)") }
            #expect(!output.contains("Fatal error") && !output.contains("Stack dump"), "\(file)")
            let after = try counts()
            let summary = output.split(separator: "\n").first { $0.contains(" rows: ") }
            if let summary {
                #expect(summary.contains("rows: ") && summary.contains(": \(landed) new") || summary.contains(" \(landed) new,"), "\(file): \(summary)")
                let rejected = Int64(summary.split(separator: ",").last!.split(separator: " ").first { Int64($0) != nil }.flatMap { Int64($0) } ?? -1)
                #expect(after["rejects"]! - before["rejects"]! == rejected, "\(file)")
                if source != "leads" { #expect(after["leads"] == before["leads"] && after["lead_keys"] == before["lead_keys"], "\(file)") }
            } else {
                #expect(landed == 0 && after == before, "\(file): a refused file changed the warehouse")
            }
            // Personal values appear nowhere: not on screen, not in rejects.
            let d = try Database(path: db)
            var kept = ""
            try d.query("SELECT reason || ' ' || raw_row FROM rejects") { kept += ($0.text(0) ?? "") + "\n" }
            for personal in ["jill.doe", "+84 90 abc", "cuong@"] {
                #expect(!output.contains(personal) && !kept.contains(personal), "\(file): \(personal)")
            }
        }
    }

    /// `--db` at another application's database: refused, byte for byte untouched, even by a
    /// report; at a mistyped path: refused, nothing created.
    @Test func aFileThatIsNotAWarehouseIsNeverChanged() throws {
        let dir = TemporaryDirectory()
        let foreign = dir.file("crm.sqlite")
        do { try Database(path: foreign).execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts VALUES (1, 'Jill')") }
        let before = try #require(FileManager.default.contents(atPath: foreign))
        for arguments in [["report", "channels"], ["import", "leads", demo + "/leads.csv"], ["init"]] {
            let r = try runCommand(leadledger, arguments + ["--db", foreign])
            #expect(r.status == 1 && r.stderr.contains("is not a LeadLedger warehouse"), "\(arguments): \(r.stderr)")
        }
        #expect(FileManager.default.contents(atPath: foreign) == before)
        let typo = dir.file("leadleger.sqlite")
        let report = try runCommand(leadledger, ["report", "channels", "--db", typo])
        #expect(report.status == 1 && report.stderr.contains("there is no warehouse at \(typo)"), "\(report.stderr)")
        #expect(!FileManager.default.fileExists(atPath: typo))
    }

    @Test func funnelJSONSpellsEveryStage() throws {
        let dir = TemporaryDirectory()
        let db = dir.file("demo.sqlite")
        #expect(try runCommand(leadledger, ["demo", "--db", db]).status == 0)
        let funnel = try runCommand(leadledger, ["report", "funnel", "--db", db, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(funnel.stdout.utf8)) as? [[String: Any]])
        for key in ["leads", "mqls", "sqls", "opportunities", "customers"] { #expect(rows.allSatisfy { $0[key] is Int }, "\(key)") }
    }

    static let countsSQL = "SELECT (SELECT count(*) FROM leads) || '|' || (SELECT count(*) FROM touchpoints) || '|' || (SELECT count(*) FROM import_runs) || '|' || (SELECT count(*) FROM rejects)"

    @Test func badFilesGetAMessageNotAStackTrace() throws {
        let dir = TemporaryDirectory()
        let binary = dir.write("export.csv", Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x10]))
        let r = try runCommand(leadledger, ["import", "social", binary, "--db", dir.file("w.sqlite")])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(binary) is not a text file (it contains NUL bytes); expected a UTF-8 CSV export\nA social file has the columns of\n"))
        #expect(r.stderr.contains("Meta Ads Manager campaign report (daily): \"Day\", \"Campaign name\", \"Amount spent…\", \"Impressions\""))
        let wrong = try runCommand(leadledger, ["import", "social", demo + "/leads.csv", "--db", dir.file("w.sqlite")])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("Meta Ads Manager campaign report (daily): \"Day\", \"Campaign name\", \"Amount spent…\", \"Impressions\""))
    }

    @Test func channelsListsEveryPluginWithMetricsAndFormats() throws {
        let r = try runCommand(leadledger, ["channels"])
        #expect(r.status == 0)
        for line in ["social — Social media", "seo — SEO (organic search)", "referral — Referral & networking", "events — Events", "email — Email"] {
            #expect(r.stdout.contains(line))
        }
        #expect(r.stdout.contains("meta-ads: Meta Ads Manager campaign report (daily)"))
        #expect(r.stdout.contains("impressions: Times an ad was shown"))
    }

    /// docs/formats is the formats' own documentation, regenerated by scripts/generate-docs.sh.
    @Test(arguments: ImportSource.all(channels: ChannelRegistry.all).map(\.id))
    func formatDocsAreInSyncWithTheCode(_ source: String) throws {
        let r = try runCommand(leadledger, ["formats", source])
        #expect(r.status == 0)
        let doc = try String(contentsOfFile: packageRoot() + "/docs/formats/\(source).md", encoding: .utf8)
        #expect(r.stdout == doc, "docs/formats/\(source).md is out of date: run scripts/generate-docs.sh")
    }

    @Test func formatIndexIsInSyncWithTheCode() throws {
        let r = try runCommand(leadledger, ["formats", "--index"])
        #expect(r.status == 0)
        let doc = try String(contentsOfFile: packageRoot() + "/docs/formats/README.md", encoding: .utf8)
        #expect(r.stdout == doc, "docs/formats/README.md is out of date: run scripts/generate-docs.sh")
        for channel in ChannelRegistry.all { #expect(doc.contains("[`\(channel.id)`](\(channel.id).md)")) }
    }

    /// The shipped sample is exactly what the generator writes: anyone can regenerate it.
    @Test func shippedDemoDataIsReproducible() throws {
        let dir = TemporaryDirectory()
        let r = try runCommand(builtProduct("DemoDataGenerator"), ["--out", dir.path, "--leads", "2000", "--days", "90", "--seed", "42"])
        #expect(r.status == 0, "\(r.stderr)")
        func dataFiles(_ dir: String) throws -> [String] {
            try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") || $0.hasSuffix(".txt") }.sorted()
        }
        let files = try dataFiles(demo)
        #expect(files == (try dataFiles(dir.path)), "the shipped sample and the generator's output have different files")
        for file in files {
            let shipped = FileManager.default.contents(atPath: demo + "/" + file)
            let generated = FileManager.default.contents(atPath: dir.path + "/" + file)
            #expect(shipped != nil && shipped == generated, "\(file) differs from the generator's output")
        }
    }
}
