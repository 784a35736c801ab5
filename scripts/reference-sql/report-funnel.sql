-- `leadledger report funnel` (stage counts per channel) in plain SQL, for the benchmark's
-- reference (see report-channels.sql). No medians of time in stage (SQLite has none).
WITH ranked AS (
    SELECT lead_id, channel_id, row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at, id) AS n FROM touchpoints
), lead_channel AS (
    SELECT l.id, coalesce(r.channel_id, 'direct') AS channel FROM leads l LEFT JOIN ranked r ON r.lead_id = l.id AND r.n = 1
), furthest AS (
    SELECT lead_id, max(CASE stage WHEN 'mql' THEN 1 WHEN 'sql' THEN 2 WHEN 'opportunity' THEN 3 WHEN 'customer' THEN 4 ELSE 0 END) AS k
    FROM (SELECT lead_id, stage FROM lifecycle_stages UNION ALL SELECT lead_id, 'customer' FROM conversions) GROUP BY 1
)
SELECT lc.channel, count(*) AS leads, sum(coalesce(f.k, 0) >= 1) AS mql, sum(coalesce(f.k, 0) >= 2) AS sql,
       sum(coalesce(f.k, 0) >= 3) AS opportunity, sum(coalesce(f.k, 0) >= 4) AS customer
FROM lead_channel lc LEFT JOIN furthest f ON f.lead_id = lc.id
GROUP BY lc.channel ORDER BY lc.channel;
