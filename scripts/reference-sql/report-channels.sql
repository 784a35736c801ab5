-- `leadledger report channels` as an analyst would write it against the core tables, for the
-- benchmark's reference (scripts/benchmark.sh). One currency assumed; no medians (SQLite has none).
WITH ranked AS (
    SELECT lead_id, channel_id, row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at, id) AS n FROM touchpoints
), lead_channel AS (
    SELECT l.id, coalesce(r.channel_id, 'direct') AS channel FROM leads l LEFT JOIN ranked r ON r.lead_id = l.id AND r.n = 1
), spend AS (
    SELECT channel_id AS channel, sum(amount_minor) AS spend FROM costs GROUP BY 1
), customers AS (
    SELECT lead_id, sum(revenue_minor) AS revenue FROM conversions GROUP BY 1
), qualified AS (
    SELECT lead_id, max(stage <> 'lead') AS mql, max(stage IN ('sql', 'opportunity', 'customer')) AS sql FROM lifecycle_stages GROUP BY 1
)
SELECT lc.channel, s.spend, count(*) AS leads, sum(q.mql) AS mqls, sum(q.sql) AS sqls, count(c.lead_id) AS customers,
       sum(c.revenue) AS revenue, s.spend * 1.0 / count(*) AS cpl, s.spend * 1.0 / nullif(count(c.lead_id), 0) AS cac,
       sum(c.revenue) * 1.0 / nullif(s.spend, 0) AS roas
FROM lead_channel lc
LEFT JOIN customers c ON c.lead_id = lc.id
LEFT JOIN qualified q ON q.lead_id = lc.id
LEFT JOIN spend s ON s.channel = lc.channel
GROUP BY lc.channel ORDER BY lc.channel;
