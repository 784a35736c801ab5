-- `leadledger report campaigns` in plain SQL, for the benchmark's reference (see report-channels.sql).
WITH ranked AS (
    SELECT lead_id, channel_id, campaign_id,
           row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at, id) AS n FROM touchpoints
), lead_campaign AS (
    SELECT l.id, coalesce(r.channel_id, 'direct') AS channel, r.campaign_id
    FROM leads l LEFT JOIN ranked r ON r.lead_id = l.id AND r.n = 1
), spend AS (
    SELECT channel_id AS channel, campaign_id, sum(amount_minor) AS spend FROM costs GROUP BY 1, 2
), customers AS (
    SELECT lead_id, sum(revenue_minor) AS revenue FROM conversions GROUP BY 1
), qualified AS (
    SELECT lead_id, max(stage <> 'lead') AS mql, max(stage IN ('sql', 'opportunity', 'customer')) AS sql FROM lifecycle_stages GROUP BY 1
)
SELECT lc.channel, coalesce(cp.name, '(none)') AS campaign, s.spend, count(*) AS leads, sum(q.mql) AS mqls, sum(q.sql) AS sqls,
       count(c.lead_id) AS customers, sum(c.revenue) AS revenue, s.spend * 1.0 / count(*) AS cpl
FROM lead_campaign lc
LEFT JOIN campaigns cp ON cp.id = lc.campaign_id
LEFT JOIN customers c ON c.lead_id = lc.id
LEFT JOIN qualified q ON q.lead_id = lc.id
LEFT JOIN spend s ON s.channel = lc.channel AND s.campaign_id IS lc.campaign_id
GROUP BY lc.channel, lc.campaign_id ORDER BY lc.channel, campaign;
