import Foundation
import Testing
@testable import OrchestratorServer

@Suite("HTTP API, in process", .serialized)
struct APITests {
    func discoveredSingleNode() async throws -> (InProcessOrchd, RaftNodeID) {
        try await InProcessOrchd.discoveredSingleNode()
    }

    @Test func discoverCrawlsWholeTopologyAndAnswersInUpstreamShapes() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }

        let discovered = await orchd.get(id, "/api/discover/db/3309")
        #expect(discovered.object["Code"] as? String == "OK")
        #expect(discovered.object["Message"] as? String == "Instance discovered: db:3309")
        let details = try #require(discovered.object["Details"] as? [String: Any])
        #expect((details["Key"] as? [String: Any])?["Port"] as? Int == 3309)
        #expect((details["MasterKey"] as? [String: Any])?["Port"] as? Int == 3308)

        #expect(await orchd.get(id, "/api/clusters").array as? [String] == ["db:3306"])
        let all = await orchd.get(id, "/api/all-instances").array
        #expect(all.count == 4)
        let cluster = await orchd.get(id, "/api/cluster/shop").array as? [[String: Any]] ?? []
        #expect(cluster.count == 4)
        let depths = Dictionary(uniqueKeysWithValues: cluster.map {
            (($0["Key"] as? [String: Any])?["Port"] as? Int ?? 0, $0["ReplicationDepth"] as? Int ?? -1)
        })
        #expect(depths == [3306: 0, 3307: 1, 3308: 1, 3309: 2])

        let info = await orchd.get(id, "/api/cluster-info/db:3309").object
        #expect(info["ClusterName"] as? String == "db:3306")
        #expect(info["ClusterAlias"] as? String == "shop")
        #expect(info["CountInstances"] as? Int == 4)
        #expect(info["HasAutomatedMasterRecovery"] as? Bool == true)
        #expect(info["HasAutomatedIntermediateMasterRecovery"] as? Bool == false)

        let infos = await orchd.get(id, "/api/clusters-info").array as? [[String: Any]] ?? []
        #expect(infos.count == 1)
        #expect(infos.first?["ClusterName"] as? String == "db:3306")
        #expect(infos.first?["ClusterAlias"] as? String == "shop")
        #expect(infos.first?["CountInstances"] as? Int == 4)
        #expect(await orchd.get(id, "/api/cluster-info/shop").object["ClusterName"] as? String == "db:3306")
        // The fleet-wide answer is kept per view, but not past a reload of the filters it reports.
        var reloaded = OrchestratorConfiguration()
        reloaded.recoverMasterClusterFilters = ["alias=other"]
        try #require(orchd.nodes[id]).apply(reloaded: reloaded)
        let after = await orchd.get(id, "/api/clusters-info").array as? [[String: Any]] ?? []
        #expect(after.first?["HasAutomatedMasterRecovery"] as? Bool == false)

        let master = await orchd.get(id, "/api/master/shop").object
        #expect((master["Key"] as? [String: Any])?["Port"] as? Int == 3306)
        #expect(await orchd.get(id, "/api/masters").array.count == 1)

        let replicas = await orchd.get(id, "/api/instance-replicas/db/3306").array as? [[String: Any]] ?? []
        #expect(Set(replicas.compactMap { ($0["Key"] as? [String: Any])?["Port"] as? Int }) == [3307, 3308])
        // upstream's synonyms: "slave" spellings answer too
        #expect(await orchd.get(id, "/api/instance-slaves/db/3306").array.count == 2)

        let topology = await orchd.get(id, "/api/topology/shop").object
        let tree = try #require(topology["Details"] as? String)
        #expect(tree.split(separator: "\n").count == 4)
        #expect(tree.hasPrefix("db:3306"))
        #expect(tree.contains("  + db:3309"))

        #expect(await orchd.get(id, "/api/search?s=3308").array.count == 1)
    }

    @Test func metricsInPrometheusTextFormat() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let metrics = await orchd.get(id, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType.hasPrefix("text/plain; version=0.0.4"))
        let lines = Set(metrics.bodyText.split(separator: "\n").map(String.init))
        #expect(lines.contains("orchd_raft_leader 1"))
        #expect(lines.contains("orchd_clusters 1"))
        #expect(lines.contains(#"orchd_cluster_instances{cluster_name="db:3306",cluster_alias="shop"} 4"#))
        #expect(lines.contains(#"orchd_instance_replication_running{mysql_instance="db:3309",cluster_name="db:3306",cluster_alias="shop"} 1"#))
        #expect(lines.contains("# TYPE orchd_discovery_probes_total counter"))
        #expect(lines.contains { $0.hasPrefix("orchd_discovery_probes_total ") && !$0.hasSuffix(" 0") })
        #expect(await orchd.get(id, "/api/metrics").bodyText.contains("orchd_raft_term"))
    }

    @Test func configuredStatusEndpointAnswersHealth() async throws {
        let orchd = try InProcessOrchd(size: 1, statusEndpoint: "/healthz")
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        let health = await orchd.get(id, "/healthz")
        #expect(health.status == 200)
        #expect(health.object["Message"] as? String == "Application node is healthy")
        #expect(await orchd.get(id, "/api/status").status == 200, "the standard path stays")
    }

    @Test func webUIIsServedWithItsOwnCodeOnly() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let root = await orchd.get(id, "/")
        #expect(root.status == 302)
        #expect(root.headers["Location"] == "/web/clusters")
        for page in ["/web/clusters", "/web/cluster/db:3306", "/web/cluster/alias/shop", "/web/raft", "/web/audit",
                     "/web/search"] {
            let html = await orchd.get(id, page)
            #expect(html.status == 200, "\(page)")
            #expect(html.contentType.hasPrefix("text/html"))
            #expect(html.bodyText.contains(#"<script src="/web/static/app.js"></script>"#))
            #expect(!html.bodyText.contains("style="), "no inline style")
            #expect(html.bodyText.components(separatedBy: "<script").count == 2, "one script, from a file")
            let policy = html.headers["Content-Security-Policy"] ?? ""
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
        }
        let script = await orchd.get(id, "/web/static/app.js")
        #expect(script.contentType.hasPrefix("text/javascript"))
        #expect(script.bodyText.contains("failover-plan/"))
        #expect(script.bodyText.contains("noop=true"), "changes to MySQL are previewed with the dry run first")
        for unsafe in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", ".style."] {
            #expect(!script.bodyText.contains(unsafe), "the script never uses \(unsafe): values are inserted as text")
        }
        #expect(await orchd.get(id, "/web/static/app.css").contentType.hasPrefix("text/css"))
    }

    @Test func instanceJSONIsEncodedOncePerInventoryAndUnchanged() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let node = try #require(orchd.nodes[id])
        // Byte for byte what the encoder makes of the same inventory's instances (retry across a
        // second boundary, when the inventory is rebuilt between the two reads).
        #expect(await eventually {
            let inventory = await node.inventory()
            let members = inventory.instances(inCluster: "db:3306")
            let cluster = await orchd.get(id, "/api/cluster/shop")
            let one = await orchd.get(id, "/api/instance/db/3309")
            guard await node.inventory().memo === inventory.memo else { return false }
            return cluster.body == Array(try! APIJSON.encoder.encode(members))
                && one.body == Array(try! APIJSON.encoder.encode(inventory.instance(InstanceKey(hostname: "db", port: 3309))!))
        })
    }

    @Test func secondOpinionProbesNowAndSaysWhetherTheServerAnswers() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }
        let opinion = await orchd.get(id, "/api/second-opinion/db/3306").object
        #expect(opinion["Node"] as? String == id)
        #expect(opinion["Reachable"] as? Bool == true)
        #expect(opinion["ReadOnly"] as? Bool == false)
        #expect(await orchd.get(id, "/api/second-opinion/db/4444").status == 404, "only known servers are probed")
    }

    @Test func badParametersAnswer4xxWithAReason() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }

        let badPort = await orchd.get(id, "/api/instance/db/notaport")
        #expect(badPort.status == 400)
        #expect(badPort.object["Code"] as? String == "ERROR")
        #expect((badPort.object["Message"] as? String ?? "").contains("invalid port"))

        let unknown = await orchd.get(id, "/api/instance/db/4000")
        #expect(unknown.status == 404)
        #expect((unknown.object["Message"] as? String ?? "").contains("db:4000"))

        #expect(await orchd.get(id, "/api/no-such-thing").status == 404)
        #expect(await orchd.get(id, "/api/cluster/nosuchcluster").status == 404)
        #expect(await orchd.get(id, "/api/search").status == 400)
        #expect(await orchd.get(id, "/api/begin-downtime/db/3307/me/maint/soon").status == 400)
        #expect(await orchd.get(id, "/api/register-candidate/db/3307/must").status == 400)
        #expect(await orchd.get(id, "/api/leader-check/999").status == 400)

        let unreachable = await orchd.get(id, "/api/discover/elsewhere/3306")
        #expect(unreachable.status == 500)
        #expect((unreachable.object["Message"] as? String ?? "").contains("elsewhere:3306"))
    }

    @Test func downtimeCandidateAndRecoverySwitchAreReplicatedIntent() async throws {
        let (orchd, id) = try await discoveredSingleNode()
        defer { Task { await orchd.stop() } }

        #expect(await orchd.get(id, "/api/begin-downtime/db/3307/alice/upgrade/1h").status == 200)
        var instance = await orchd.get(id, "/api/instance/db/3307").object
        #expect(instance["IsDowntimed"] as? Bool == true)
        #expect(instance["DowntimeOwner"] as? String == "alice")
        #expect(instance["DowntimeReason"] as? String == "upgrade")
        #expect(await orchd.get(id, "/api/end-downtime/db/3307").status == 200)
        instance = await orchd.get(id, "/api/instance/db/3307").object
        #expect(instance["IsDowntimed"] as? Bool == false)

        #expect(await orchd.get(id, "/api/register-candidate/db/3308/prefer").status == 200)
        instance = await orchd.get(id, "/api/instance/db/3308").object
        #expect(instance["PromotionRule"] as? String == "prefer")
        #expect(instance["IsCandidate"] as? Bool == true)

        #expect(await orchd.get(id, "/api/check-global-recoveries").object["Details"] as? String == "enabled")
        #expect(await orchd.get(id, "/api/disable-global-recoveries").status == 200)
        #expect(await orchd.get(id, "/api/check-global-recoveries").object["Details"] as? String == "disabled")

        #expect(await orchd.get(id, "/api/forget/db/3307").status == 200)
        #expect(await orchd.get(id, "/api/instance/db/3307").status == 404)
        let forgottenCluster = await orchd.get(id, "/api/forget-cluster/shop")
        #expect(forgottenCluster.status == 200)
        #expect(await orchd.get(id, "/api/clusters").array.isEmpty)
    }

    @Test func raftAndHealthEndpoints() async throws {
        let orchd = try InProcessOrchd(size: 1)
        defer { Task { await orchd.stop() } }
        let id = try #require(await orchd.leader())
        #expect(await orchd.get(id, "/api/leader-check").bodyText == "\"OK\"")
        #expect(await orchd.get(id, "/api/raft-state").bodyText == "\"Leader\"")
        #expect(await orchd.get(id, "/api/raft-leader").bodyText == "\"\(id)\"")
        #expect(await orchd.get(id, "/api/raft-health").bodyText == "\"healthy\"")
        #expect(await orchd.get(id, "/api/raft-peers").array as? [String] == [id])
        let status = await orchd.get(id, "/api/raft-status").object
        #expect(status["State"] as? String == "Leader")
        #expect(status["IsPartOfQuorum"] as? Bool == true)
        let health = await orchd.get(id, "/api/status").object
        #expect(health["Code"] as? String == "OK")
        #expect((health["Details"] as? [String: Any])?["IsRaftLeader"] as? Bool == true)
        #expect(await orchd.get(id, "/api/health").object["Code"] as? String == "OK")
        #expect(await orchd.get(id, "/api/lb-check").status == 200)
    }
}

@Suite("HTTP API across three in-process nodes", .serialized)
struct APIGroupTests {
    @Test func followerProxiesChangesToTheLeaderAndEveryNodeAppliesThem() async throws {
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        let follower = try #require(orchd.ids.first { $0 != leader })
        // A follower answers leader-check with 404, or the code asked for.
        #expect(await orchd.get(follower, "/api/leader-check").status == 404)
        #expect(await orchd.get(follower, "/api/leader-check/503").status == 503)
        // Wait until the leader has announced its API address, then change state through a follower.
        #expect(await eventually { await orchd.nodes[follower]!.leaderHTTPAddress() != nil })
        let response = await orchd.get(follower, "/api/discover/db/3309")
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(await orchd.get(follower, "/api/begin-downtime/db/3307/bob/disk/10m").status == 200)
        for id in orchd.ids {
            #expect(await eventually { await orchd.get(id, "/api/all-instances").array.count == 4 }, "node \(id)")
            #expect(await eventually {
                await orchd.get(id, "/api/instance/db/3307").object["IsDowntimed"] as? Bool == true
            }, "node \(id)")
        }
    }

    @Test func everyNodeAnnouncesItsAPIAddressThroughTheLeader() async throws {
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        #expect(await eventually {
            let known = orchd.nodes[leader]!.intent.nodeHTTPAddresses
            return orchd.ids.allSatisfy { known[$0] == "http://\($0)" }
        }, "the leader knows where each follower's API answers (for second opinions)")
        #expect(await orchd.get(leader, "/api/announce-node/10.9.9.9:10008?address=http://x:1").status == 400,
                "only members announce")
        #expect(await orchd.get(leader, "/api/announce-node/\(leader)?address=ftp://x").status == 400)
    }

    @Test func yieldHintTransfersLeadershipByAdvertisedAddress() async throws {
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        let target = try #require(orchd.ids.first { $0 != leader })
        #expect(await eventually { await orchd.nodes[leader]!.leaderHTTPAddress() != nil })
        // All nodes share one host name here; the hint is the advertised raft address.
        let answer = await orchd.get(leader, "/api/raft-yield-hint/\(target)")
        #expect(answer.status == 200, "\(answer.bodyText)")
        #expect(await eventually { await orchd.nodes[target]!.raftStatus().role == .leader })
        #expect(await orchd.get(target, "/api/raft-yield-hint/10.9.9.9").status == 404)
    }

    @Test func raftPeersCanBeAddedAndRemoved() async throws {
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        #expect(await orchd.get(leader, "/api/raft-add-peer/not a host:x").status == 400)
        let added = await orchd.get(leader, "/api/raft-add-peer/10.0.0.9")
        #expect(added.status == 200, "\(added.bodyText)")
        #expect(added.object["Details"] as? String == "10.0.0.9:10008")
        #expect(await orchd.get(leader, "/api/raft-peers").array.count == 4)
        let removed = await orchd.get(leader, "/api/raft-remove-peer/10.0.0.9:10008")
        #expect(removed.status == 200, "\(removed.bodyText)")
        #expect(await orchd.get(leader, "/api/raft-peers").array.count == 3)
    }

    @Test func nodeWithoutQuorumRefusesChangesAndReportsUnhealthy() async throws {
        let orchd = try InProcessOrchd(size: 3)
        defer { Task { await orchd.stop() } }
        let leader = try #require(await orchd.leader())
        orchd.network.isolate(leader)
        #expect(await eventually { await orchd.nodes[leader]!.raftStatus().role != .leader })
        let health = await orchd.get(leader, "/api/raft-health")
        #expect(health.status == 500)
        #expect(await orchd.get(leader, "/api/discover/db/3306").status >= 500)
    }
}
