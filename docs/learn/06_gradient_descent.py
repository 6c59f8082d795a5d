# %% [markdown]
# # 06_gradient_descent

# %%
print(1)
