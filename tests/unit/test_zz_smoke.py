from tests.unit.voting_env import *  # noqa
from storage.models.voting import *  # noqa
from storage.models.core import OutboxMessage, AuditEntry

async def test_smoke(env):
    c = await college(env)
    hoa = await env.person("Nguyễn Thị Hoa", "KCNTT")
    n1 = await env.nominate("lao_dong_tien_tien", person=hoa)
    n2 = await env.nominate("lao_dong_tien_tien", person=c.members[1])
    vid = await opened(env, c)
    ds = await env.rows(VotingDossier)
    print([(d.id, d.commendation_code, d.recused) for d in ds])
    env.clock.set(datetime(2027, 6, 8, 9, 0, tzinfo=VN_TZ))
    for m in c.members:
        for d in ds:
            if m in d.recused: continue
            r = await env.run(lambda s: s.cast(vid, d.id, "agree"), m)
    print(r)
    assert await env.due(CLOSED) >= 1
    res = await env.rows(VotingResult)
    print([(r.dossier_id, r.outcome, r.agree, r.members, r.warnings) for r in res])
    out = await env.rows(OutboxMessage)
    for o in out: print(o.idempotency_key, o.not_before, o.text)
    print([a.action for a in await env.rows(AuditEntry)])
    print([(b.nonce, b.seal) for b in await env.rows(Ballot)])
