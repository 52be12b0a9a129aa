"""The Chinese approval operations on top of the engine core.

One module per group, each action audited and writing its own history rows:

- returning: 退回 to the previous node, the initiator or any node passed,
  re-running the path or coming straight back (原路返回);
- handover: 转办 and 委派;
- signing: 前加签 / 后加签, 减签, and completing the rows they add;
- withdrawing: 撤回;
- urging: 催办 with a rate limit;
- copying: 抄送 and marking a copy read;
- dispatching: an administrator's 调度 (move to any node, reassign);
- notify: site messages (and SMS for urgent ones).

Beside them: moves (the engine moves: rewind, replay, graft), common (shared
checks and helpers), queries (what a viewer may do on a page), views (the
pages' form posts, mounted by egov.workflow.urls_operations) and labels (the
audit codes' Chinese names).

Extra work on a node (加签, 委派, 退回后原路返回) lives in the worklist only:
extra Task rows linked to the node's task by `parent`, sharing its engine
task, which stays waiting until they are done (docs/adr/0004).
"""
