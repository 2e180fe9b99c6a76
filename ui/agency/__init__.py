"""The agency's workspace (代理机构): drawing the evaluation committee for its tenders."""
